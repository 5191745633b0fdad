// Retention and pruning (store/pruning.h, store/retention_keeper.h) on stores
// the tests make with the real Writer.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <mutex>
#include <thread>
#include <vector>

#include "ingest/session_removal.h"
#include "query/consumer_cursor.h"
#include "store/database.h"
#include "store/pruning.h"
#include "store/retention_keeper.h"
#include "store/retention_policy.h"
#include "store/search_index.h"
#include "store/search_index_merge.h"
#include "store/writer.h"
#include "tests/test_support.h"
#include "tests/written_store.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

constexpr Micros kHour = 3'600'000'000LL;

std::int64_t count(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

std::int64_t fts_hits(SQLite::Database& db, const std::string& table, const std::string& text) {
  SQLite::Statement st(db, "SELECT count(*) FROM " + table + " WHERE " + table + " MATCH ?");
  st.bind(1, "\"" + text + "\"");
  st.executeStep();
  return st.getColumn(0).getInt64();
}

std::int64_t new_session(Writer& w, std::string_view status = session_status::imported) {
  auto id = w.create_session({"s", session_source::har, "", status, ""});
  REQUIRE(id.is_ok());
  return *id;
}

// Exchange n, started `age` ago, with its own body unless `body` is given.
Exchange aged_exchange(int n, Micros age, const std::string& body = "") {
  Exchange e = test::make_exchange(n, body.empty() ? "{\"only\":\"body-" + std::to_string(n) + "-unique\"}" : body);
  e.request.method = "GET";
  e.request.body = {};
  e.request.path = "/aged/" + std::to_string(n);
  e.request.url = "https://" + e.request.host + e.request.path;
  e.timings.started = now_micros() - age;
  e.timings.ended = *e.timings.started + 1000;
  return e;
}

// Exchanges from..from+n-1 with ~4 KB bodies each, not indexed: FTS5 keeps
// delete markers until its segments merge, so a search index does not
// shrink with the rows (a known limit, docs/schema.md).
void fill_unindexed(const std::string& path, int from, int n) {
  std::vector<Exchange> exchanges;
  for (int i = from; i < from + n; ++i)
    exchanges.push_back(aged_exchange(i, kHour, std::string(4000, 'a' + i % 26) + std::to_string(i)));
  test::write_imported_session(path, std::move(exchanges));
}

void check_fts_consistent(SQLite::Database& db) {
  for (const char* table : {"bodies_fts", "urls_fts"})
    CHECK_NOTHROW(db.exec(std::string("INSERT INTO ") + table + "(" + table + ", rank) VALUES('integrity-check', 0)"));
}

std::int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

TEST_CASE("Pruning by age removes old exchanges with the bodies, search rows and WebSocket messages only they used",
          "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  const std::string shared = "{\"shared\":\"body-used-by-old-and-new\"}";
  std::int64_t session = 0;
  {
    auto w = Writer::open(path);
    REQUIRE(w.is_ok());
    session = new_session(**w);
    for (int i = 0; i < 300; ++i) {
      Exchange e = aged_exchange(i, 48 * kHour, i == 7 ? shared : "");
      if (i == 3) e.websocket_messages = {{WebSocketMessage::Sender::client, 1, "hello-old-socket", 16, std::nullopt}};
      REQUIRE((*w)->consume(session, std::move(e)).is_ok());
    }
    for (int i = 300; i < 400; ++i)
      REQUIRE((*w)->consume(session, aged_exchange(i, kHour / 60, i == 350 ? shared : "")).is_ok());
    REQUIRE((*w)->update_search_index().is_ok());
    REQUIRE((*w)->close().is_ok());
  }
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  REQUIRE(count(d, "SELECT count(*) FROM bodies") == 399);  // 400 exchanges, one body shared
  REQUIRE(fts_hits(d, "bodies_fts", "body-5-unique") == 1);
  REQUIRE(count(d, "SELECT count(*) FROM websocket_messages") == 1);

  auto report = prune(d, PruneSelection::older_than(now_micros() - 24 * kHour));
  REQUIRE(report.is_ok());
  CHECK(report->exchanges == 300);
  CHECK(report->bodies == 299);  // the shared body stays for exchange 350
  CHECK(report->websocket_messages == 1);
  CHECK(report->sessions == std::set<std::int64_t>{session});
  CHECK(report->longest_step > 0us);

  CHECK(count(d, "SELECT count(*) FROM exchanges") == 100);
  CHECK(count(d, "SELECT min(id) FROM exchanges") == 301);
  CHECK(count(d, "SELECT count(*) FROM bodies") == 100);
  CHECK(count(d, "SELECT count(*) FROM websocket_messages") == 0);
  CHECK(fts_hits(d, "bodies_fts", "body-5-unique") == 0);
  CHECK(fts_hits(d, "bodies_fts", "body-305-unique") == 1);
  CHECK(fts_hits(d, "bodies_fts", "body-used-by-old-and-new") == 1);
  CHECK(fts_hits(d, "urls_fts", "/aged/5") == 0);
  CHECK(fts_hits(d, "urls_fts", "/aged/305") == 1);
  check_fts_consistent(d);

  // The session's counts are those left; what went is counted as pruned.
  SQLite::Statement s(d, "SELECT exchange_count, pruned_count, error_count, first_exchange_at FROM sessions WHERE id = ?");
  s.bind(1, static_cast<std::int64_t>(session));
  REQUIRE(s.executeStep());
  CHECK(s.getColumn(0).getInt64() == 100);
  CHECK(s.getColumn(1).getInt64() == 300);
  CHECK(s.getColumn(2).getInt64() == count(d, "SELECT count(*) FROM exchanges WHERE error IS NOT NULL"));
  CHECK(s.getColumn(3).getInt64() == count(d, "SELECT min(started_at) FROM exchanges"));

  auto state = read_retention(d);
  REQUIRE(state.is_ok());
  CHECK(state->pruned.exchanges == 300);
  CHECK(state->pruned.bodies == 299);
  CHECK(state->pruned.websocket_messages == 1);
  CHECK(state->pruned.last_pruned_at.has_value());
  CHECK(state->pruned.last_longest_step_ms.has_value());
}

TEST_CASE("A size policy removes the oldest exchanges until the database is under it, and the file shrinks",
          "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  fill_unindexed(path, 0, 2000);
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  auto before = database_size(d);
  REQUIRE(before.is_ok());
  CHECK(before->incremental_vacuum);  // new files are made so
  REQUIRE(before->used_bytes > 8'000'000);

  RetentionPolicy policy;
  policy.max_size_bytes = static_cast<std::uint64_t>(before->used_bytes / 2);
  REQUIRE(set_retention_policy(d, policy).is_ok());
  auto report = apply_retention(d, *read_retention_policy(d));
  REQUIRE(report.is_ok());
  CHECK(report->exchanges > 0);
  CHECK(report->exchanges < 2000);
  CHECK(static_cast<std::uint64_t>(report->after.used_bytes) <= *policy.max_size_bytes);
  // Oldest first: what is left is the newest, without a gap.
  CHECK(count(d, "SELECT max(id) FROM exchanges") == 2000);
  CHECK(count(d, "SELECT count(*) FROM exchanges") == 2000 - report->exchanges);
  CHECK(count(d, "SELECT min(id) FROM exchanges") == report->exchanges + 1);
  // The free pages went back: the file is smaller, after a checkpoint on disk too.
  CHECK(report->bytes_given_back > 0);
  CHECK(report->after.file_bytes < before->file_bytes);
  CHECK(report->after.free_bytes == 0);
  d.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  CHECK(file_size(path) == report->after.file_bytes);
  CHECK(file_size(path) < before->file_bytes);
}

TEST_CASE("Pruning's vacuum can leave some free pages in the file for a recorder to fill again", "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  fill_unindexed(path, 0, 2000);
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  const std::int64_t page_size = database_size(d)->page_size;

  PruneOptions keep_some;
  keep_some.keep_free_bytes = 1 << 20;
  auto kept = prune(d, PruneSelection::of_session(1), keep_some);
  REQUIRE(kept.is_ok());
  CHECK(kept->exchanges == 2000);
  CHECK(kept->bytes_given_back > 0);
  // What the vacuum left, give or take a page the last steps' own writes took.
  CHECK(kept->after.free_bytes <= keep_some.keep_free_bytes);
  CHECK(kept->after.free_bytes >= keep_some.keep_free_bytes - 3 * page_size);

  // Without it (trafficdb prune), every free page goes back.
  auto all = vacuum_free_pages(d);
  REQUIRE(all.is_ok());
  CHECK(all->bytes_given_back >= kept->after.free_bytes - page_size);
  CHECK(all->after.free_bytes == 0);
}

TEST_CASE("A recorder's keeper prunes as soon as the size limit is passed, not only at its interval", "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  fill_unindexed(path, 0, 1000);
  std::int64_t limit = 0;
  {
    auto db = open_database(path, OpenMode::read_write);
    REQUIRE(db.is_ok());
    limit = database_size(**db)->used_bytes * 3 / 2;
    RetentionPolicy policy;
    policy.max_size_bytes = static_cast<std::uint64_t>(limit);
    REQUIRE(set_retention_policy(**db, policy).is_ok());
  }
  // An interval far longer than the test: only the size check can start a second round.
  auto keeper = RetentionKeeper::start(path, std::chrono::hours(1), 0ms);
  REQUIRE(keeper.is_ok());
  const auto first_round = std::chrono::steady_clock::now() + 10s;
  while ((*keeper)->rounds().rounds < 1 && std::chrono::steady_clock::now() < first_round) std::this_thread::sleep_for(10ms);
  REQUIRE((*keeper)->rounds().rounds == 1);
  CHECK((*keeper)->rounds().removed.exchanges == 0);  // under the limit

  fill_unindexed(path, 1000, 1000);  // now about 2x the first size: over the limit
  const auto deadline = std::chrono::steady_clock::now() + 3 * RetentionKeeper::kSizeCheckInterval + 5s;
  while ((*keeper)->rounds().removed.exchanges == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CHECK((*keeper)->rounds().rounds == 2);
  CHECK((*keeper)->rounds().removed.exchanges > 0);
  CHECK((*keeper)->rounds().last_error.empty());
  auto db = open_database(path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  CHECK(database_size(**db)->used_bytes <= limit);
}

TEST_CASE("A size policy on an indexed store keeps about what fits: the search indexes are merged as rows go",
          "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  const char* words[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
                         "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"};
  {
    auto w = Writer::open(path);
    REQUIRE(w.is_ok());
    const std::int64_t session = new_session(**w);
    std::uint32_t seed = 7;
    for (int i = 0; i < 3000; ++i) {
      std::string body = "{\"n\":" + std::to_string(i) + ",\"text\":\"";
      for (int k = 0; k < 300; ++k) {
        seed = seed * 1103515245u + 12345u;
        body += std::string(words[(seed >> 16) % 20]) + std::to_string((seed >> 8) % 1000) + " ";
      }
      REQUIRE((*w)->consume(session, aged_exchange(i, kHour, body + "\"}")).is_ok());
    }
    REQUIRE((*w)->close().is_ok());
  }
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  for (bool remaining = true; remaining;) REQUIRE(index_search_batch(d, 500, remaining).is_ok());
  REQUIRE(count(d, "SELECT position FROM search_state WHERE name = 'bodies_fts'") ==
          count(d, "SELECT max(id) FROM bodies"));
  auto before = database_size(d);
  REQUIRE(before.is_ok());

  RetentionPolicy policy;
  policy.max_size_bytes = static_cast<std::uint64_t>(before->used_bytes / 2);
  REQUIRE(set_retention_policy(d, policy).is_ok());
  auto report = apply_retention(d, *read_retention_policy(d));
  REQUIRE(report.is_ok());
  CHECK(static_cast<std::uint64_t>(report->after.used_bytes) <= *policy.max_size_bytes);
  // Half the size holds about half the exchanges; without merging the index
  // keeps the removed entries and nearly all exchanges go.
  const std::int64_t left = count(d, "SELECT count(*) FROM exchanges");
  CHECK(left >= 1000);
  CHECK(left < 1600);
  CHECK(report->index_merges >= 1);
  check_fts_consistent(d);
  // What was removed since the last whole merge is below the share that
  // starts one (how much depends on the adaptive batch sizes, so on timing).
  auto tokens = index_tokens(d, "bodies_fts");
  REQUIRE(tokens.is_ok());
  CHECK_FALSE(merge_due(*tokens));
  CHECK(count(d, "SELECT count(*) FROM search_state WHERE merging_since IS NOT NULL") == 0);
  // Searches still find what is left, and only that.
  CHECK(fts_hits(d, "bodies_fts", "\"n\":2999,") == 1);
  CHECK(fts_hits(d, "bodies_fts", "\"n\":5,") == 0);
}

TEST_CASE("Indexers leave an index alone while a pruner merges it, and take it up again when the merge stops",
          "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  std::vector<Exchange> exchanges;
  for (int i = 0; i < 10; ++i) exchanges.push_back(aged_exchange(i, kHour));
  test::write_imported_session(path, std::move(exchanges));
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  SQLite::Statement mark(d, "UPDATE search_state SET merging_since = ? WHERE name = 'bodies_fts'");
  mark.bind(1, static_cast<std::int64_t>(now_micros()));
  mark.exec();
  bool remaining = true;
  REQUIRE(index_search_batch(d, 100, remaining).is_ok());
  CHECK_FALSE(remaining);
  CHECK(count(d, "SELECT position FROM search_state WHERE name = 'bodies_fts'") == 0);
  CHECK(count(d, "SELECT position FROM search_state WHERE name = 'urls_fts'") == 10);
  // A mark older than the lease is a merge that died.
  mark.reset();
  mark.bind(1, static_cast<std::int64_t>(now_micros() - 10 * 60'000'000LL));
  mark.exec();
  REQUIRE(index_search_batch(d, 100, remaining).is_ok());
  CHECK(count(d, "SELECT position FROM search_state WHERE name = 'bodies_fts'") == 10);
}

TEST_CASE("Ids never come back: consumer cursors stay valid after the newest rows are pruned", "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto w = Writer::open(path);
  REQUIRE(w.is_ok());
  const std::int64_t first = new_session(**w);
  for (int i = 0; i < 20; ++i) REQUIRE((*w)->consume(first, aged_exchange(i, kHour)).is_ok());
  REQUIRE((*w)->flush().is_ok());
  REQUIRE((*w)->update_search_index().is_ok());

  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  auto page = read_for_consumer(d, "agent", 0, ExchangeFilter{}, 100);
  REQUIRE(page.is_ok());
  REQUIRE(page->items.size() == 20);
  REQUIRE(*consumer_position(d, "agent", 0) == 20);

  // The newest rows (and bodies) go, and the whole session with them.
  REQUIRE(remove_session(d, first).is_ok());
  CHECK(count(d, "SELECT count(*) FROM exchanges") == 0);
  CHECK(count(d, "SELECT count(*) FROM bodies") == 0);
  CHECK(fts_hits(d, "bodies_fts", "body-19-unique") == 0);
  check_fts_consistent(d);

  const std::int64_t second = new_session(**w);
  CHECK(second > first);  // a consumer of session `first` never follows a new session
  for (int i = 100; i < 105; ++i) REQUIRE((*w)->consume(second, aged_exchange(i, 0)).is_ok());
  REQUIRE((*w)->flush().is_ok());
  REQUIRE((*w)->update_search_index().is_ok());
  CHECK(count(d, "SELECT min(id) FROM exchanges") == 21);
  // The consumer gets exactly the new rows.
  auto next = read_for_consumer(d, "agent", 0, ExchangeFilter{}, 100);
  REQUIRE(next.is_ok());
  REQUIRE(next->items.size() == 5);
  CHECK(next->items.front().id == 21);
  // A body id given again is indexed again (the index position was lowered).
  CHECK(fts_hits(d, "bodies_fts", "body-104-unique") == 1);
  CHECK(fts_hits(d, "bodies_fts", "body-19-unique") == 0);
  check_fts_consistent(d);
}

TEST_CASE("A recorder applies the policy to the session it is recording", "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  {
    auto db = open_database(path, OpenMode::read_write);
    REQUIRE(db.is_ok());
    RetentionPolicy policy;
    policy.max_age_us = 24 * kHour;
    REQUIRE(set_retention_policy(**db, policy).is_ok());
  }
  WriterOptions options;
  options.apply_retention = true;
  options.retention_interval = 100ms;
  std::mutex observed_mu;
  std::vector<PruneReport> observed;
  options.on_retention_round = [&](const Result<PruneReport>& round) {
    REQUIRE(round.is_ok());
    std::lock_guard lk(observed_mu);
    observed.push_back(*round);
  };
  auto w = Writer::open(path, options);
  REQUIRE(w.is_ok());
  const std::int64_t session = new_session(**w, session_status::recording);
  for (int i = 0; i < 200; ++i) REQUIRE((*w)->consume(session, aged_exchange(i, 72 * kHour)).is_ok());
  REQUIRE((*w)->flush().is_ok());

  auto db = open_database(path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  // Recording goes on while the keeper prunes: new exchanges keep coming.
  int added = 0;
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while ((*w)->retention_rounds().removed.exchanges < 200 && std::chrono::steady_clock::now() < give_up) {
    REQUIRE((*w)->consume(session, aged_exchange(1000 + added++, 0)).is_ok());
    std::this_thread::sleep_for(10ms);
  }
  for (int i = 0; i < 50; ++i) REQUIRE((*w)->consume(session, aged_exchange(2000 + i, 0)).is_ok());
  REQUIRE((*w)->flush().is_ok());
  const std::int64_t total = 200 + added + 50;
  CHECK(count(**db, "SELECT count(*) FROM exchanges WHERE started_at < " + std::to_string(now_micros() - 24 * kHour)) == 0);
  CHECK(count(**db, "SELECT count(*) FROM exchanges") == added + 50);
  CHECK((*db)->execAndGet("SELECT status FROM sessions").getString() == "recording");
  CHECK(count(**db, "SELECT exchange_count + pruned_count FROM sessions") == total);
  CHECK(count(**db, "SELECT exchange_count FROM sessions") == added + 50);
  const RetentionRounds rounds = (*w)->retention_rounds();
  CHECK(rounds.rounds >= 1);
  CHECK(rounds.removed.exchanges == 200);
  CHECK(rounds.last_error.empty());
  REQUIRE((*w)->close().is_ok());
  CHECK((*w)->stats().longest_commit > 0us);
  // The observer heard of every round, with what each removed and its longest step.
  std::lock_guard lk(observed_mu);
  CHECK(observed.size() == (*w)->retention_rounds().rounds);
  std::int64_t heard = 0;
  for (const PruneReport& round : observed) {
    heard += round.exchanges;
    if (round.steps > 0) CHECK(std::string(round.longest_step_kind).size() > 0);
  }
  CHECK(heard == 200);
}

TEST_CASE("An older database without incremental vacuum is converted once, and pruning says the file cannot shrink before",
          "[retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  {
    auto w = Writer::open(path);
    REQUIRE(w.is_ok());
    const std::int64_t session = new_session(**w);
    for (int i = 0; i < 500; ++i)
      REQUIRE((*w)->consume(session, aged_exchange(i, 48 * kHour, std::string(3000, 'x') + std::to_string(i))).is_ok());
    REQUIRE((*w)->close().is_ok());
  }
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  // As a file made before trafficdb set auto_vacuum.
  d.exec("PRAGMA auto_vacuum = NONE");
  d.exec("VACUUM");
  REQUIRE_FALSE(database_size(d)->incremental_vacuum);

  auto report = prune(d, PruneSelection::older_than(now_micros() - 72 * kHour - kHour));
  REQUIRE(report.is_ok());
  CHECK(report->exchanges == 0);
  auto half = prune(d, PruneSelection::of_session(1));
  REQUIRE(half.is_ok());
  CHECK(half->exchanges == 500);
  CHECK(half->vacuum_unavailable);
  CHECK(half->after.free_bytes > 0);
  CHECK(half->bytes_given_back == 0);

  REQUIRE(convert_to_incremental_vacuum(d).is_ok());
  CHECK(database_size(d)->incremental_vacuum);
  REQUIRE(convert_to_incremental_vacuum(d).is_ok());  // nothing to do the second time
}

TEST_CASE("Retention policies are checked and stored", "[retention]") {
  test::TempDir dir;
  auto db = open_database(dir.file("t.db"), OpenMode::read_write);
  REQUIRE(db.is_ok());
  CHECK(read_retention_policy(**db)->empty());
  RetentionPolicy zero;
  zero.max_size_bytes = 0;
  CHECK(set_retention_policy(**db, zero).is(Status::Code::invalid_input));
  RetentionPolicy policy;
  policy.max_age_us = 7 * 24 * kHour;
  policy.max_size_bytes = 2'000'000'000;
  REQUIRE(set_retention_policy(**db, policy).is_ok());
  auto read = read_retention_policy(**db);
  REQUIRE(read.is_ok());
  CHECK(read->max_age_us == policy.max_age_us);
  CHECK(read->max_size_bytes == policy.max_size_bytes);
  REQUIRE(set_retention_policy(**db, RetentionPolicy{}).is_ok());
  CHECK(read_retention_policy(**db)->empty());
}
