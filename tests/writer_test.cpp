#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <thread>

#include "store/database.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

std::int64_t count(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

std::int64_t new_session(Writer& w, const std::string& name = "s") {
  auto id = w.create_session({name, session_source::har, "", session_status::recording, ""});
  REQUIRE(id.is_ok());
  return *id;
}

}  // namespace

TEST_CASE("The writer commits in batches and keeps consume order as id order", "[writer]") {
  test::TempDir dir;
  WriterOptions options;
  options.batch_size = 10;
  options.max_delay = 10s;
  auto writer = Writer::open(dir.file("t.db"), options);
  REQUIRE(writer.is_ok());
  const auto session = new_session(**writer);
  auto sink = (*writer)->sink(session);
  for (int i = 0; i < 25; ++i) REQUIRE(sink->consume(test::make_exchange(i, "body " + std::to_string(i))).is_ok());
  REQUIRE((*writer)->close().is_ok());
  const WriterStats stats = (*writer)->stats();
  CHECK(stats.exchanges == 25);
  CHECK(stats.transactions == 3);  // 10 + 10 + 5 (the last on close)

  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READONLY);
  SQLite::Statement st(db, "SELECT source_key FROM exchanges ORDER BY id");
  int i = 0;
  while (st.executeStep()) CHECK(st.getColumn(0).getString() == "test:" + std::to_string(i++));
  CHECK(i == 25);
  CHECK(count(db, "SELECT exchange_count FROM sessions") == 25);
  CHECK(count(db, "SELECT error_count FROM sessions") == 0);
  CHECK(count(db, "SELECT first_exchange_at FROM sessions") == 1'700'000'000'000'000);
  CHECK(count(db, "SELECT last_exchange_at FROM sessions") == 1'700'000'000'000'000 + 24 * 1000);
}

TEST_CASE("A trickle of exchanges is visible to readers within the delay", "[writer]") {
  test::TempDir dir;
  WriterOptions options;
  options.batch_size = 1000;
  options.max_delay = 100ms;
  auto writer = Writer::open(dir.file("t.db"), options);
  REQUIRE(writer.is_ok());
  auto sink = (*writer)->sink(new_session(**writer));
  REQUIRE(sink->consume(test::make_exchange(1)).is_ok());

  auto reader = open_database(dir.file("t.db"), OpenMode::read_only);
  REQUIRE(reader.is_ok());
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  std::int64_t seen = 0;
  while (seen == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    seen = count(**reader, "SELECT count(*) FROM exchanges");
  }
  CHECK(seen == 1);
}

TEST_CASE("Bodies are stored once per content and cut at the cap", "[writer]") {
  test::TempDir dir;
  WriterOptions options;
  options.max_body_bytes = 1000;
  auto writer = Writer::open(dir.file("t.db"), options);
  REQUIRE(writer.is_ok());
  auto sink = (*writer)->sink(new_session(**writer));
  REQUIRE(sink->consume(test::make_exchange(1, "same body")).is_ok());
  REQUIRE(sink->consume(test::make_exchange(2, "same body")).is_ok());
  REQUIRE(sink->consume(test::make_exchange(4, "other body")).is_ok());
  REQUIRE(sink->consume(test::make_exchange(5, std::string(5000, 'x'))).is_ok());
  Exchange empty = test::make_exchange(7, "");
  REQUIRE(sink->consume(std::move(empty)).is_ok());
  REQUIRE((*writer)->close().is_ok());
  CHECK((*writer)->stats().bodies_reused == 1);

  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READONLY);
  CHECK(count(db, "SELECT count(*) FROM bodies") == 3);
  CHECK(count(db, "SELECT count(DISTINCT resp_body_id) FROM exchanges WHERE source_key IN ('test:1','test:2')") == 1);
  CHECK(count(db, "SELECT b.size FROM exchanges e JOIN bodies b ON b.id = e.resp_body_id WHERE source_key = 'test:5'") == 1000);
  CHECK(count(db, "SELECT resp_body_size FROM exchanges WHERE source_key = 'test:5'") == 5000);
  CHECK(count(db, "SELECT resp_body_size FROM exchanges WHERE source_key = 'test:7'") == 0);
  CHECK(db.execAndGet("SELECT resp_body_id IS NULL FROM exchanges WHERE source_key = 'test:7'").getInt() == 1);
  CHECK(db.execAndGet("SELECT resp_body FROM exchanges_view WHERE id = 1").getString() == "same body");
}

TEST_CASE("Rows carry every column the sources fill in", "[writer]") {
  test::TempDir dir;
  auto writer = Writer::open(dir.file("t.db"));
  REQUIRE(writer.is_ok());
  auto sink = (*writer)->sink(new_session(**writer));
  Exchange e = test::make_exchange(3, "{\"a\":1}");  // a POST with a query string
  e.request.headers.push_back({"X-Latin1", std::string("caf\xe9", 4)});
  Exchange failed = test::make_exchange(4);
  failed.response.reset();
  failed.error = "connection reset";
  REQUIRE(sink->consume(std::move(e)).is_ok());
  REQUIRE(sink->consume(std::move(failed)).is_ok());
  REQUIRE((*writer)->close().is_ok());

  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READONLY);
  SQLite::Statement st(db,
                       "SELECT method, scheme, host, port, path, query, url, status, req_content_type, "
                       "resp_content_type, req_body_size, duration_ms, client_addr, "
                       "json_extract(req_headers, '$[3][1]'), json_array_length(resp_headers) FROM exchanges WHERE id = 1");
  REQUIRE(st.executeStep());
  CHECK(st.getColumn(0).getString() == "POST");
  CHECK(st.getColumn(1).getString() == "https");
  CHECK(st.getColumn(2).getString() == "api3.example.com");
  CHECK(st.getColumn(3).getInt() == 443);
  CHECK(st.getColumn(4).getString() == "/v1/items/3");
  CHECK(st.getColumn(5).getString() == "page=3");
  CHECK(st.getColumn(6).getString() == "https://api3.example.com/v1/items/3?page=3");
  CHECK(st.getColumn(7).getInt() == 200);
  CHECK(st.getColumn(8).getString() == "application/json");
  CHECK(st.getColumn(9).getString() == "application/json");  // parameters dropped
  CHECK(st.getColumn(10).getInt() == 7);
  CHECK(st.getColumn(11).getDouble() == Approx(2.5));
  CHECK(st.getColumn(12).getString() == "127.0.0.1:5000");
  CHECK(st.getColumn(13).getString() == "caf\xc3\xa9");  // Latin-1 byte read as U+00E9
  CHECK(st.getColumn(14).getInt() == 3);                  // duplicate Set-Cookie kept

  CHECK(db.execAndGet("SELECT status IS NULL AND resp_headers IS NULL FROM exchanges WHERE id = 2").getInt() == 1);
  CHECK(db.execAndGet("SELECT error FROM exchanges WHERE id = 2").getString() == "connection reset");
  CHECK(count(db, "SELECT error_count FROM sessions") == 1);
}

TEST_CASE("A writer that cannot write fails clearly and keeps what it committed", "[writer]") {
  test::TempDir dir;
  WriterOptions options;
  options.batch_size = 5;
  auto writer = Writer::open(dir.file("t.db"), options);
  REQUIRE(writer.is_ok());
  const auto session = new_session(**writer);
  auto good = (*writer)->sink(session);
  for (int i = 0; i < 5; ++i) REQUIRE(good->consume(test::make_exchange(i)).is_ok());
  REQUIRE((*writer)->flush().is_ok());
  // Session 999 does not exist: the foreign key refuses the batch.
  REQUIRE((*writer)->sink(999)->consume(test::make_exchange(100)).is_ok());
  const Status flushed = (*writer)->flush();
  REQUIRE_FALSE(flushed.is_ok());
  CHECK(flushed.message().find("FOREIGN KEY") != std::string::npos);
  CHECK_FALSE(good->consume(test::make_exchange(6)).is_ok());
  CHECK_FALSE((*writer)->close().is_ok());

  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READONLY);
  CHECK(count(db, "SELECT count(*) FROM exchanges") == 5);
}

TEST_CASE("finish_session and delete_session see everything consumed before", "[writer]") {
  test::TempDir dir;
  WriterOptions options;
  options.max_delay = 10s;
  auto writer = Writer::open(dir.file("t.db"), options);
  REQUIRE(writer.is_ok());
  const auto keep = new_session(**writer, "keep");
  const auto drop = new_session(**writer, "drop");
  for (int i = 0; i < 3; ++i) {
    REQUIRE((*writer)->consume(keep, test::make_exchange(i)).is_ok());
    REQUIRE((*writer)->consume(drop, test::make_exchange(10 + i)).is_ok());
  }
  REQUIRE((*writer)->finish_session(keep, session_status::imported, std::nullopt).is_ok());
  REQUIRE((*writer)->delete_session(drop).is_ok());
  CHECK_FALSE((*writer)->delete_session(drop).is_ok());
  REQUIRE((*writer)->close().is_ok());

  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READONLY);
  CHECK(count(db, "SELECT count(*) FROM exchanges") == 3);
  CHECK(count(db, "SELECT exchange_count FROM sessions WHERE status = 'imported' AND stopped_at IS NOT NULL") == 3);
  CHECK(count(db, "SELECT count(*) FROM sessions") == 1);
}

TEST_CASE("Producers on several threads never lose or duplicate an exchange", "[writer]") {
  test::TempDir dir;
  WriterOptions options;
  options.batch_size = 64;
  options.queue_max_bytes = 64 * 1024;  // small: producers block on back-pressure
  auto writer = Writer::open(dir.file("t.db"), options);
  REQUIRE(writer.is_ok());
  const auto session = new_session(**writer);
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      auto sink = (*writer)->sink(session);
      for (int i = 0; i < 500; ++i) (void)sink->consume(test::make_exchange(t * 1000 + i, std::string(300, 'a' + t)));
    });
  }
  for (auto& p : producers) p.join();
  REQUIRE((*writer)->close().is_ok());
  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READONLY);
  CHECK(count(db, "SELECT count(*) FROM exchanges") == 2000);
  CHECK(count(db, "SELECT count(DISTINCT source_key) FROM exchanges") == 2000);
  // One response body per thread, plus each distinct POST body.
  CHECK(count(db, "SELECT count(*) FROM bodies") ==
        4 + count(db, "SELECT count(DISTINCT req_body_id) FROM exchanges"));
}
