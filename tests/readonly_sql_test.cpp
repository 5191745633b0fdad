#include <catch2/catch.hpp>

#include "query/readonly_sql.h"
#include "store/database.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  test::TempDir dir;
  std::unique_ptr<SQLite::Database> db;
  Fixture() {
    auto writer = Writer::open(dir.file("t.db"));
    REQUIRE(writer.is_ok());
    auto session = (*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
    REQUIRE(session.is_ok());
    for (int i = 0; i < 20; ++i) REQUIRE((*writer)->consume(*session, test::make_exchange(i)).is_ok());
    REQUIRE((*writer)->close().is_ok());
    auto ro = open_database(dir.file("t.db"), OpenMode::read_only);
    REQUIRE(ro.is_ok());
    db = std::move(ro).value();
  }
};

}  // namespace

TEST_CASE("SELECTs run and return typed values", "[sql]") {
  Fixture f;
  auto r = run_readonly_sql(*f.db,
                            "WITH x AS (SELECT status, count(*) AS n FROM exchanges GROUP BY status) "
                            "SELECT status, n, n / 2.0 AS half, 'text' AS t, NULL AS empty, x'00ff' AS b FROM x ORDER BY status",
                            {});
  REQUIRE(r.is_ok());
  CHECK(r->columns == std::vector<std::string>{"status", "n", "half", "t", "empty", "b"});
  REQUIRE(r->rows.size() == 2);
  CHECK(std::get<std::int64_t>(r->rows[0][0]) == 200);
  CHECK(std::get<std::int64_t>(r->rows[0][1]) == 18);
  CHECK(std::get<double>(r->rows[0][2]) == 9.0);
  CHECK(std::get<std::string>(r->rows[0][3]) == "text");
  CHECK(std::holds_alternative<std::monostate>(r->rows[0][4]));
  CHECK(std::get<SqlBlob>(r->rows[0][5]).bytes == std::string("\x00\xff", 2));

  auto pragma = run_readonly_sql(*f.db, "PRAGMA table_info(exchanges)", {});
  REQUIRE(pragma.is_ok());
  CHECK(pragma->rows.size() > 20);
  CHECK(run_readonly_sql(*f.db, "SELECT * FROM pragma_table_info('sessions')", {}).is_ok());
}

TEST_CASE("Anything but reading is refused before it runs", "[sql][hostile]") {
  Fixture f;
  for (const char* sql : {"INSERT INTO sessions(name, source, status, started_at) VALUES('x','har','imported',1)",
                          "UPDATE exchanges SET status = 1", "DELETE FROM exchanges", "DROP TABLE exchanges",
                          "CREATE TABLE t(x)", "ATTACH DATABASE '/tmp/x.db' AS x", "PRAGMA journal_mode = DELETE",
                          "PRAGMA user_version = 5", "BEGIN", "VACUUM", "SELECT load_extension('/tmp/x.so')",
                          "REINDEX", "ANALYZE", "SELECT 1; DELETE FROM exchanges",
                          "WITH x AS (SELECT 1) DELETE FROM exchanges"}) {
    INFO(sql);
    auto r = run_readonly_sql(*f.db, sql, {});
    CHECK_FALSE(r.is_ok());
  }
  auto r = run_readonly_sql(*f.db, "SELECT count(*) FROM exchanges", {});
  REQUIRE(r.is_ok());
  CHECK(std::get<std::int64_t>(r->rows[0][0]) == 20);
  auto refused = run_readonly_sql(*f.db, "DELETE FROM exchanges", {});
  CHECK(refused.status().message().find("DELETE") != std::string::npos);
}

TEST_CASE("A runaway query is stopped at the time limit", "[sql][hostile]") {
  Fixture f;
  SqlLimits limits;
  limits.time_limit = 200ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_readonly_sql(*f.db,
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n",
                            limits);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("time limit") != std::string::npos);
  CHECK(elapsed < 5s);
}

TEST_CASE("The row limit caps the result and says so", "[sql]") {
  Fixture f;
  SqlLimits limits;
  limits.max_rows = 5;
  auto r = run_readonly_sql(*f.db, "SELECT id FROM exchanges", limits);
  REQUIRE(r.is_ok());
  CHECK(r->rows.size() == 5);
  CHECK(r->row_limit_hit);
  limits.max_rows = 20;
  auto exact = run_readonly_sql(*f.db, "SELECT id FROM exchanges", limits);
  CHECK_FALSE(exact->row_limit_hit);
}

TEST_CASE("Table-valued JSON functions work on the read-only connection", "[sql]") {
  Fixture f;
  auto r = run_readonly_sql(*f.db,
                            "SELECT count(*) FROM exchanges e, json_each(e.resp_headers) h "
                            "WHERE lower(json_extract(h.value, '$[0]')) = 'set-cookie'",
                            {});
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  CHECK(std::get<std::int64_t>(r->rows[0][0]) == 40);  // two Set-Cookie on each of 20 rows
}

TEST_CASE("Huge results and pointer tricks are refused", "[sql][hostile]") {
  Fixture f;
  SqlLimits limits;
  limits.max_bytes = 1 << 20;
  auto big = run_readonly_sql(*f.db, "SELECT zeroblob(300000000)", limits);
  REQUIRE_FALSE(big.is_ok());
  CHECK(big.status().message().find("larger than the limit") != std::string::npos);
  auto many = run_readonly_sql(*f.db,
                               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
                               "SELECT zeroblob(100000) FROM n",
                               limits);
  REQUIRE(many.is_ok());
  CHECK(many->byte_limit_hit);
  CHECK(many->rows.size() < 100);
  CHECK_FALSE(run_readonly_sql(*f.db, "SELECT fts3_tokenizer('simple')", {}).is_ok());
}
