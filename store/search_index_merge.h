// Merging the full-text indexes so that what pruning removed leaves them.
//
// FTS5 (SQLite 3.40 has no 'secure-delete') removes an entry by writing a
// marker; both stay until a merge brings the segment holding the entry
// together with the marker, and the oldest, largest segments merge rarely.
// A store pruned oldest first would keep nearly all its index pages
// (measured: 213 MB of bodies_fts for 2 MB of live bodies), and a size limit
// would prune nearly every exchange to make up for them.
//
// So pruning counts the tokens it removes from each index
// (search_state.removed_tokens, record_removed_tokens); once they reach
// kMergeShare of the tokens the index still holds (merge_due), the pruner
// merges that index whole, in steps of its own transactions (merge_step):
// FTS5's 'merge' with a negative page count, which drops the removed
// entries and their markers. Meanwhile indexers leave the index alone
// (merging_since, index_may_grow): a segment added during a merge makes it
// start over.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

// The FTS5 tables the search indexes are, as search_state names them.
inline constexpr const char* kSearchIndexNames[] = {"bodies_fts", "urls_fts"};

// A merge is due when the removed tokens reach this share of those left.
inline constexpr double kMergeShare = 0.25;
// An index whose merge was last stepped longer ago than this is free again
// (the pruner stopped or died).
inline constexpr std::chrono::minutes kMergeLease{2};

struct IndexTokens {
  std::int64_t held = 0;     // tokens of the rows the index holds (FTS5's totals)
  std::int64_t removed = 0;  // removed since the last whole merge
};

// Both counts for `index` ("bodies_fts" or "urls_fts").
Result<IndexTokens> index_tokens(SQLite::Database& db, const std::string& index);

bool merge_due(const IndexTokens& tokens);

// Inside the caller's write transaction: adds `tokens` to the index's removed count.
void record_removed_tokens(SQLite::Database& db, const std::string& index, std::int64_t tokens);

// Inside the caller's write transaction: merges about `pages` pages of the
// index and marks it as being merged. True when the merge is complete (it
// found nothing left to merge): removed_tokens and the mark are cleared.
bool merge_step(SQLite::Database& db, const std::string& index, std::int64_t pages);

// Whether an indexer may add rows to `index` now (no merge in progress).
bool index_may_grow(SQLite::Database& db, const std::string& index);

// FTS5's own merging of an index's segments (each indexing transaction adds
// one) is off (automerge = 0, migration 0010): inside the transaction that
// indexed a few rows it merged up to 64 pages per level at once, and under
// retention's churn a recorder's commits waited longer and longer for it
// (visible p99 414 -> 665 ms over a 10-minute soak). Instead, whoever
// indexes runs SegmentMerger steps when it is otherwise idle: the same
// merging (a level with `usermerge`, 4, or more segments is merged into
// one), each step its own short transaction.
//
// FTS5 merges a level whole, inside whichever transaction adds a segment,
// once the level has `crisismerge` segments, and the level above too when
// that fills it: under heavy indexing (100 exchanges/s of 4 KB bodies, a
// segment every ~100 ms) FTS5's choice of level (the one with most
// segments) kept level 0 ahead of a larger level's merge in progress, that
// level filled, and a crisis merge of nearly the whole index held a
// recorder's batch 1.3 s. So crisismerge is 64 (migration 0011), and an
// indexer asks pressed() to let merging go first (no new segments) until
// every level is back under kPressedSegments.
class SegmentMerger {
 public:
  static constexpr std::chrono::milliseconds kStepTarget{10};
  static constexpr int kPressedSegments = 8;

  explicit SegmentMerger(SQLite::Database& db) : db_(db) {}

  // One IMMEDIATE transaction merging some pages of the first index that has
  // a level to merge (an index a pruner is merging whole is left to it).
  // Returns whether there was work; false once no index has any. Throws
  // SQLite::Exception (busy past the connection's timeout, disk full),
  // with the transaction rolled back.
  bool step();

  // Steps until no index has work; returns the steps taken.
  std::int64_t run_to_end();

  // Whether a level of either index holds kPressedSegments or more
  // segments (false when the structure cannot be read).
  bool pressed();

  // How long the last step held the write lock (from taking it to the commit).
  std::chrono::microseconds last_hold() const { return last_hold_; }

 private:
  SQLite::Database& db_;
  std::chrono::microseconds last_hold_{0};
  std::int64_t pages_ = 64;  // per step, adapted towards kStepTarget
};

}  // namespace trafficdb
