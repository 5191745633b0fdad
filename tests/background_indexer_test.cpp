// The search indexes catch up by themselves in the background, while a
// writer goes on committing to the same file.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "query/text_search.h"
#include "store/background_indexer.h"
#include "store/database.h"
#include "store/search_index.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Writer> unindexing_writer(const std::string& path) {
  WriterOptions options;
  options.index_when_idle = false;  // as a bulk import: the rows are ahead of the indexes
  options.index_on_close = false;
  auto writer = Writer::open(path, options);
  REQUIRE(writer.is_ok());
  return std::move(writer).value();
}

SearchIndexLag lag_of(const std::string& path) {
  auto db = open_database(path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  auto lag = text_search_lag(**db);
  REQUIRE(lag.is_ok());
  return *lag;
}

}  // namespace

TEST_CASE("BackgroundIndexer: the indexes catch up with the rows while a writer keeps writing", "[search][index]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto writer = unindexing_writer(path);
  const auto session = *writer->create_session({"s", session_source::har, "", session_status::imported, ""});
  for (int i = 0; i < 3000; ++i)
    REQUIRE(writer->consume(session, test::make_exchange(i, "{\"word\":\"needle" + std::to_string(i) + "\"}")).is_ok());
  REQUIRE(writer->flush().is_ok());
  const SearchIndexLag before = lag_of(path);
  CHECK(before.exchanges == 3000);
  CHECK(before.bodies >= 3000);
  CHECK_FALSE(before.caught_up());

  auto indexer = BackgroundIndexer::start(path);
  REQUIRE(indexer.is_ok());
  // The writer goes on while the indexer works: its commits are not refused.
  for (int i = 3000; i < 4000; ++i) {
    REQUIRE(writer->consume(session, test::make_exchange(i, "{\"word\":\"needle" + std::to_string(i) + "\"}")).is_ok());
    if (i % 100 == 0) REQUIRE(writer->flush().is_ok());
  }
  REQUIRE(writer->flush().is_ok());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!lag_of(path).caught_up() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  CHECK(lag_of(path).caught_up());
  CHECK((*indexer)->batches() >= 8);  // 4000 rows in batches of 500
  CHECK((*indexer)->last_error().empty());
  REQUIRE(writer->close().is_ok());

  // The indexes hold the rows: a trigram query finds one body.
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT count(*) FROM bodies_fts WHERE bodies_fts MATCH '\"needle3999\"'").getInt() == 1);
}

TEST_CASE("BackgroundIndexer: stopping it mid-way leaves the indexes consistent", "[search][index]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  {
    auto writer = unindexing_writer(path);
    const auto session = *writer->create_session({"s", session_source::har, "", session_status::imported, ""});
    for (int i = 0; i < 5000; ++i) REQUIRE(writer->consume(session, test::make_exchange(i)).is_ok());
    REQUIRE(writer->close().is_ok());
  }
  {
    auto indexer = BackgroundIndexer::start(path);
    REQUIRE(indexer.is_ok());
    std::this_thread::sleep_for(20ms);
  }  // stopped after the batch in progress
  const SearchIndexLag lag = lag_of(path);
  CHECK(lag.exchanges >= 0);
  CHECK(lag.exchanges % 500 == 0);  // whole batches only
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE("Search index batches index each body once, whatever the mix of text and binary bodies", "[search][index]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  {
    auto writer = unindexing_writer(path);
    const auto session = *writer->create_session({"s", session_source::har, "", session_status::imported, ""});
    for (int i = 0; i < 40; ++i) {
      const std::string body = i % 2 ? std::string("\x00\x01\x02\xff binary ", 12) + std::to_string(i)
                                     : "{\"word\":\"needleword\",\"n\":" + std::to_string(i) + "}";
      REQUIRE(writer->consume(session, test::make_exchange(i, body)).is_ok());
    }
    REQUIRE(writer->close().is_ok());
  }
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  for (bool remaining = true; remaining;) REQUIRE(index_search_batch(**db, 3, remaining).is_ok());
  // 20 text response bodies hold the word; each is in the index once.
  CHECK((*db)->execAndGet("SELECT count(*) FROM bodies_fts WHERE bodies_fts MATCH '\"needleword\"'").getInt() == 20);
  CHECK((*db)->execAndGet("SELECT count(*) FROM urls_fts WHERE urls_fts MATCH '\"example\"'").getInt() == 40);
}
