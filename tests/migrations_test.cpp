#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "store/database.h"
#include "store/migrations.h"
#include "tests/test_support.h"

using namespace trafficdb;

namespace {
int pragma(SQLite::Database& db, const char* name) { return db.execAndGet(std::string("PRAGMA ") + name).getInt(); }
}  // namespace

TEST_CASE("A new database is created at the latest schema, and re-opening changes nothing", "[migrations]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  {
    auto db = open_database(path, OpenMode::read_write);
    REQUIRE(db.is_ok());
    CHECK(pragma(**db, "user_version") == latest_schema_version());
    CHECK(pragma(**db, "application_id") == kApplicationId);
    CHECK((*db)->execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(pragma(**db, "page_size") == kPageSize);
    CHECK(pragma(**db, "foreign_keys") == 1);
    for (const char* table : {"sessions", "exchanges", "bodies", "cursors", "exchanges_view", "sessions_view"}) {
      INFO(table);
      CHECK((*db)->execAndGet(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + table + "'").getInt() == 1);
    }
    (*db)->exec("INSERT INTO sessions(name, source, status, started_at) VALUES('kept', 'har', 'imported', 1)");
  }
  auto again = open_database(path, OpenMode::read_write);
  REQUIRE(again.is_ok());
  CHECK((*again)->execAndGet("SELECT name FROM sessions").getString() == "kept");
  auto ro = open_database(path, OpenMode::read_only);
  REQUIRE(ro.is_ok());
  CHECK_THROWS((*ro)->exec("INSERT INTO sessions(name, source, status, started_at) VALUES('x', 'har', 'imported', 1)"));
}

TEST_CASE("A database newer than the binary is refused, untouched", "[migrations]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  { REQUIRE(open_database(path, OpenMode::read_write).is_ok()); }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 999");
  }
  for (const OpenMode mode : {OpenMode::read_write, OpenMode::read_only}) {
    auto db = open_database(path, mode);
    REQUIRE_FALSE(db.is_ok());
    CHECK(db.status().message().find("newer") != std::string::npos);
    CHECK(db.status().message().find(path) != std::string::npos);
  }
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(pragma(raw, "user_version") == 999);
}

TEST_CASE("Another program's database is refused", "[migrations]") {
  test::TempDir dir;
  const std::string path = dir.file("other.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE notes(x)");
  }
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE_FALSE(db.is_ok());
  CHECK(db.status().message().find("not a trafficdb database") != std::string::npos);

  test::write_file(dir.file("text.db"), "this is not sqlite at all, just some text that is long enough......");
  CHECK_FALSE(open_database(dir.file("text.db"), OpenMode::read_write).is_ok());
  CHECK_FALSE(open_database(dir.file("missing.db"), OpenMode::read_only).is_ok());
}

TEST_CASE("A failing migration leaves the database at the last whole version", "[migrations]") {
  test::TempDir dir;
  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const std::vector<Migration> migrations = {
      {1, "0001_ok.sql", "PRAGMA application_id = 1414677570; CREATE TABLE a(x);"},
      {2, "0002_bad.sql", "CREATE TABLE b(x); INSERT INTO nowhere VALUES(1);"},
  };
  const Status s = migrate(db, migrations);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.message().find("0002_bad.sql") != std::string::npos);
  CHECK(pragma(db, "user_version") == 1);
  CHECK(db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name = 'b'").getInt() == 0);
}

TEST_CASE("Upgrading an existing store is announced with its duration; creating a new one is not", "[migrations]") {
  test::TempDir dir;
  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const std::vector<Migration> first = {{1, "0001_a.sql", "PRAGMA application_id = 1414677570; CREATE TABLE a(x);"}};
  std::vector<Migration> both = first;
  both.push_back({2, "0002_b.sql", "CREATE TABLE b(x);"});
  std::vector<std::string> lines;
  MigrateOptions options;
  options.notice = [&lines](const std::string& line) { lines.push_back(line); };

  // A new file given several migrations at once is created, not upgraded.
  SQLite::Database fresh(dir.file("fresh.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  REQUIRE(migrate(fresh, both, options).is_ok());
  CHECK(lines.empty());

  REQUIRE(migrate(db, first, options).is_ok());
  CHECK(lines.empty());

  REQUIRE(migrate(db, both, options).is_ok());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("upgrading the database from schema version 1 to 2") == 0);
  CHECK(lines[1].find("upgraded to schema version 2 in ") == 0);

  lines.clear();
  REQUIRE(migrate(db, both, options).is_ok());
  CHECK(lines.empty());
}

TEST_CASE("A process opening a store while another holds its write lock past the busy timeout waits for it",
          "[migrations]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  const std::vector<Migration> first = {{1, "0001_a.sql", "PRAGMA application_id = 1414677570; CREATE TABLE a(x);"}};
  std::vector<Migration> both = first;
  both.push_back({2, "0002_b.sql", "CREATE TABLE b(x);"});
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
    REQUIRE(migrate(db, first).is_ok());
  }
  // Stands in for a long upgrade by another process: the lock is held ten
  // times longer than the opener's busy timeout.
  SQLite::Database holder(path, SQLite::OPEN_READWRITE);
  SQLite::Database opener(path, SQLite::OPEN_READWRITE, /*busyTimeoutMs=*/50);
  std::vector<std::string> lines;
  MigrateOptions options;
  options.notice = [&lines](const std::string& line) { lines.push_back(line); };

  SECTION("it goes on once the lock is let go") {
    holder.exec("BEGIN IMMEDIATE");
    std::thread release([&holder] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      holder.exec("COMMIT");
    });
    const Status s = migrate(opener, both, options);
    release.join();
    REQUIRE(s.is_ok());
    CHECK(pragma(opener, "user_version") == 2);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].find("waiting for the write lock") == 0);
  }
  SECTION("it gives up after lock_wait with a clear error, changing nothing") {
    holder.exec("BEGIN IMMEDIATE");
    options.lock_wait = std::chrono::milliseconds(300);
    const Status s = migrate(opener, both, options);
    holder.exec("COMMIT");
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.message().find("cannot start migration 0001_a.sql") != std::string::npos);
    CHECK(s.message().find("locked") != std::string::npos);
    CHECK(pragma(opener, "user_version") == 1);
  }
}

TEST_CASE("Two processes creating the same database at once both succeed", "[migrations]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] { ok[i] = open_database(path, OpenMode::read_write).is_ok() ? 1 : 0; });
  for (auto& t : threads) t.join();
  CHECK(ok == std::vector<int>{1, 1, 1, 1});
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(pragma(db, "user_version") == latest_schema_version());
}

TEST_CASE("A refused database is not changed at all, not even its journal mode", "[migrations][hostile]") {
  test::TempDir dir;
  const std::string path = dir.file("other.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE notes(x)");
  }
  REQUIRE_FALSE(open_database(path, OpenMode::read_write).is_ok());
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "delete");
}

TEST_CASE("A read-only open never turns an empty file into a database", "[migrations][hostile]") {
  test::TempDir dir;
  test::write_file(dir.file("empty.db"), "");
  auto db = open_database(dir.file("empty.db"), OpenMode::read_only);
  REQUIRE_FALSE(db.is_ok());
  CHECK(db.status().message().find("empty") != std::string::npos);
  CHECK(test::read_file(dir.file("empty.db")).empty());
}

TEST_CASE("A store of schema 3 gains capture integrity columns, its writer counts worked out from its rows",
          "[migrations]") {
  test::TempDir dir;
  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const std::vector<Migration> all = embedded_migrations();
  REQUIRE(all.size() >= 4);
  REQUIRE(migrate(db, std::vector<Migration>(all.begin(), all.begin() + 3)).is_ok());
  REQUIRE(pragma(db, "user_version") == 3);
  db.exec("INSERT INTO sessions(id, name, source, status, started_at) VALUES(1, 'old', 'pcap', 'imported', 1)");
  db.exec("INSERT INTO bodies(id, hash, size, is_text, data) VALUES(1, x'01', 3, 1, 'abc')");
  // Answered whole; answered with a body cut (10 bytes, 3 kept); never answered.
  db.exec("INSERT INTO exchanges(session_id, method, url, path, req_headers, status, resp_body_id, resp_body_size) "
          "VALUES(1, 'GET', 'http://h/a', '/a', '[]', 200, 1, 3), (1, 'GET', 'http://h/b', '/b', '[]', 200, 1, 10), "
          "(1, 'GET', 'http://h/c', '/c', '[]', NULL, NULL, NULL)");

  REQUIRE(migrate(db, all).is_ok());
  CHECK(pragma(db, "user_version") == latest_schema_version());
  SQLite::Statement st(db, "SELECT integrity IS NULL, no_response_count, bodies_cut_count FROM sessions WHERE id = 1");
  REQUIRE(st.executeStep());
  CHECK(st.getColumn(0).getInt() == 1);  // the source's counts were never kept for it
  CHECK(st.getColumn(1).getInt() == 1);
  CHECK(st.getColumn(2).getInt() == 1);
  CHECK(db.execAndGet("SELECT count(*) FROM exchanges").getInt() == 3);
}

TEST_CASE("A store of schema 4 gains stored path templates for its rows, and statistics read an index",
          "[migrations]") {
  test::TempDir dir;
  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const std::vector<Migration> all = embedded_migrations();
  REQUIRE(all.size() >= 5);
  REQUIRE(migrate(db, std::vector<Migration>(all.begin(), all.begin() + 4)).is_ok());
  REQUIRE(pragma(db, "user_version") == 4);
  db.exec("INSERT INTO sessions(id, name, source, status, started_at) VALUES(1, 'old', 'pcap', 'imported', 1)");
  db.exec("INSERT INTO exchanges(session_id, method, url, path, req_headers) "
          "VALUES(1, 'GET', 'http://h/users/42', '/users/42', '[]'), "
          "(1, 'GET', 'http://h/k/9f8e2a6e-1b2c-4d5e-8f90-123456789abc', '/k/9f8e2a6e-1b2c-4d5e-8f90-123456789abc', '[]'), "
          "(1, 'CONNECT', 'h:443', NULL, '[]')");

  REQUIRE(migrate(db, all).is_ok());
  SQLite::Statement st(db, "SELECT path_template FROM exchanges ORDER BY id");
  REQUIRE(st.executeStep());
  CHECK(st.getColumn(0).getString() == "/users/{id}");
  REQUIRE(st.executeStep());
  CHECK(st.getColumn(0).getString() == "/k/{uuid}");
  REQUIRE(st.executeStep());
  CHECK(st.getColumn(0).isNull());
  CHECK(db.execAndGet("SELECT count(*) FROM exchanges").getInt() == 3);

  // What traffic_stats reads for host and endpoint groups is all in the
  // session index: SQLite scans it rather than the table and its headers.
  SQLite::Statement plan(db,
                         "EXPLAIN QUERY PLAN SELECT e.host, e.method || ' ' || e.path_template, e.duration_ms, "
                         "e.error IS NOT NULL OR e.status >= 500, e.resp_body_size, e.resp_content_type "
                         "FROM exchanges e WHERE 1");
  REQUIRE(plan.executeStep());
  CHECK(plan.getColumn(3).getString() == "SCAN e USING COVERING INDEX exchanges_session_id");
}

TEST_CASE("Version 6 rebuilds sessions for the replay source, keeping every row and the exchanges that refer to them",
          "[migrations]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA foreign_keys = ON");
    const std::vector<Migration> up_to_5(embedded_migrations().begin(), embedded_migrations().begin() + 5);
    REQUIRE(migrate(raw, up_to_5).is_ok());
    REQUIRE(pragma(raw, "user_version") == 5);
    CHECK_THROWS(raw.exec("INSERT INTO sessions(name, source, status, started_at) VALUES('r', 'replay', 'stopped', 1)"));
    raw.exec("INSERT INTO sessions(id, name, source, status, started_at, exchange_count, integrity, no_response_count) "
             "VALUES(7, 'old', 'har', 'imported', 5, 1, '{\"packets\":3}', 1)");
    raw.exec("INSERT INTO exchanges(session_id, method, url, req_headers) VALUES(7, 'GET', 'http://a/', '[]')");
    // An orphan left by someone who deleted a session with foreign keys off (the sqlite3 shell's
    // default) does not stop the upgrade.
    raw.exec("PRAGMA foreign_keys = OFF");
    raw.exec("INSERT INTO exchanges(session_id, method, url, req_headers) VALUES(99, 'GET', 'http://b/', '[]')");
    raw.exec("PRAGMA foreign_keys = ON");
    REQUIRE(migrate(raw).is_ok());
    CHECK(pragma(raw, "foreign_keys") == 1);  // back as it was
  }
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  CHECK(pragma(**db, "user_version") >= 6);
  CHECK((*db)->execAndGet("SELECT count(*) FROM exchanges WHERE session_id = 7").getInt() == 1);
  CHECK((*db)->execAndGet("SELECT name || integrity || no_response_count || started_at FROM sessions WHERE id = 7")
            .getString() == "old{\"packets\":3}15");
  CHECK((*db)->execAndGet("SELECT name FROM sessions_view WHERE id = 7").getString() == "old");
  (*db)->exec("INSERT INTO sessions(name, source, status, started_at) VALUES('r', 'replay', 'stopped', 1)");
  CHECK_THROWS((*db)->exec("INSERT INTO sessions(name, source, status, started_at) VALUES('x', 'nope', 'stopped', 1)"));
  // The exchanges' reference to sessions still holds: deleting the session deletes its exchanges.
  (*db)->exec("DELETE FROM sessions WHERE id = 7");
  CHECK((*db)->execAndGet("SELECT count(*) FROM exchanges").getInt() == 1);  // the orphan
}
