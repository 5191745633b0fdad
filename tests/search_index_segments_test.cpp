// The search indexes' segments (store/search_index_merge.h, SegmentMerger):
// FTS5's automerge is off, so indexing transactions only add segments, and
// the merging happens in short steps of their own (an idle recorder's
// writer, SegmentMerger on any connection).
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "common/timestamp.h"
#include "store/database.h"
#include "store/search_index.h"
#include "store/pruning.h"
#include "store/search_index_merge.h"
#include "store/writer.h"
#include "tests/test_support.h"
#include "tests/written_store.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

// Each segment has at least one row in FTS5's %_idx table.
std::int64_t segments(SQLite::Database& db, const std::string& index) {
  return db.execAndGet("SELECT count(DISTINCT segid) FROM " + index + "_idx").getInt64();
}

std::int64_t hits(SQLite::Database& db, const std::string& phrase) {
  SQLite::Statement st(db, "SELECT count(*) FROM bodies_fts WHERE bodies_fts MATCH ?");
  st.bind(1, "\"" + phrase + "\"");
  st.executeStep();
  return st.getColumn(0).getInt64();
}

Exchange exchange_with_word(int n) {
  return test::make_exchange(n, "{\"word\":\"needle" + std::to_string(n) + "\",\"all\":\"haystack\"}");
}

// FTS5's own check of both indexes.
void check_indexes_intact(SQLite::Database& d) {
  for (const char* index : kSearchIndexNames)
    CHECK_NOTHROW(d.exec(std::string("INSERT INTO ") + index + "(" + index + ", rank) VALUES('integrity-check', 0)"));
}

// A store at `path` of imported sessions, the i-th holding rows[i]
// exchanges (needle0, needle1, ... across them); indexed only if `indexed`.
void write_sessions(const std::string& path, const std::vector<int>& rows, bool indexed = false) {
  int n = 0;
  for (int count : rows) {
    std::vector<Exchange> exchanges;
    for (int i = 0; i < count; ++i) exchanges.push_back(exchange_with_word(n++));
    test::write_imported_session(path, std::move(exchanges), indexed);
  }
}

}  // namespace

TEST_CASE("Indexing only adds segments; SegmentMerger merges them in steps, and searches find the same rows",
          "[search][index]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  constexpr int kRows = 45;
  write_sessions(path, {kRows});
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  for (const char* index : kSearchIndexNames) {
    CHECK(d.execAndGet(std::string("SELECT v FROM ") + index + "_config WHERE k = 'automerge'").getInt() == 0);
    CHECK(d.execAndGet(std::string("SELECT v FROM ") + index + "_config WHERE k = 'crisismerge'").getInt() == 64);
  }

  // A row per transaction: a segment each on level 0 (FTS5's crisis merge
  // waits for 64). With automerge on, a level never kept 4.
  SegmentMerger merger(d);
  CHECK_FALSE(merger.pressed());
  for (bool remaining = true; remaining;) REQUIRE(index_search_batch(d, 1, remaining).is_ok());
  const std::int64_t before = segments(d, "bodies_fts");
  CHECK(before >= kRows);
  CHECK(merger.pressed());
  CHECK(hits(d, "haystack") == kRows);

  CHECK(merger.run_to_end() >= 1);
  CHECK_FALSE(merger.pressed());
  const std::int64_t after = segments(d, "bodies_fts");
  CHECK(after < before);
  CHECK(after <= 4);
  CHECK(segments(d, "urls_fts") <= 4);
  CHECK_FALSE(merger.step());  // nothing left to merge
  CHECK(hits(d, "haystack") == kRows);
  CHECK(hits(d, "needle44") == 1);
  check_indexes_intact(d);
}

TEST_CASE("A recording writer merges the segments its idle indexing adds", "[search][index]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  WriterOptions options;  // index_when_idle, as a live recorder
  auto writer = Writer::open(path, options);
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::recording, ""});
  // A commit at a time, each indexed while the writer is idle: a segment each.
  for (int i = 0; i < 40; ++i) {
    REQUIRE((*writer)->consume(session, exchange_with_word(i)).is_ok());
    REQUIRE((*writer)->flush().is_ok());
    std::this_thread::sleep_for(20ms);
  }
  auto db = open_database(path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  // Unmerged, 40 one-row segments would be 2 + 8 after FTS5's crisis merges.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (segments(**db, "bodies_fts") > 6 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CHECK(segments(**db, "bodies_fts") <= 6);
  CHECK(hits(**db, "haystack") == 40);
  REQUIRE((*writer)->close().is_ok());
}

TEST_CASE("A long pruning run keeps the index levels short as it goes, not only at its end", "[search][index][retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  constexpr int kRows = 600;
  // Session 2 stays, large enough that session 1 stays under kMergeShare of
  // the index (no whole merge).
  write_sessions(path, {kRows, 6 * kRows}, true);
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  SegmentMerger(d).run_to_end();

  // Steps of about 10 exchanges: each adds a segment of deletions to each index.
  PruneOptions options;
  options.step_target = 1ms;
  options.min_rest = 0ms;
  std::int64_t prune_steps = 0, most = 0;
  options.on_step = [&](const char* kind, const PruneReport&) {
    if (std::string(kind) == "prune") ++prune_steps;
    most = std::max(most, segments(d, "bodies_fts"));
  };
  auto report = prune(d, PruneSelection::of_session(1), options);
  REQUIRE(report.is_ok());
  CHECK(report->exchanges == kRows);
  CHECK(prune_steps >= 30);
  // Left to the end of the run, they would have been one per step.
  CHECK(report->index_merges == 0);
  CHECK(most < 20);
  CHECK(hits(d, "haystack") == 6 * kRows);
  CHECK(hits(d, "needle599") == 0);
  CHECK(hits(d, "needle600") == 1);
  check_indexes_intact(d);
}

TEST_CASE("An index batch says when it left an index alone for a pruner's merge", "[search][index][retention]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  write_sessions(path, {10});
  auto db = open_database(path, OpenMode::read_write);
  REQUIRE(db.is_ok());
  SQLite::Database& d = **db;
  bool remaining = false, left_for_merge = true;
  REQUIRE(index_search_batch(d, 2, remaining, &left_for_merge).is_ok());
  CHECK(remaining);
  CHECK_FALSE(left_for_merge);
  // As a pruner's merge_step marks it.
  d.exec("UPDATE search_state SET merging_since = " + std::to_string(now_micros()) + " WHERE name = 'bodies_fts'");
  REQUIRE(index_search_batch(d, 2, remaining, &left_for_merge).is_ok());
  CHECK(left_for_merge);
  CHECK(remaining);  // urls_fts still has rows
}
