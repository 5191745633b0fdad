// Keeping the full-text indexes (bodies_fts, urls_fts) in step with the rows.
//
// Indexing runs after the rows are committed, in batches of its own
// transactions, so recording never waits for it; search_state records how far
// each index has got, and searches scan the rows past that point, so they
// never miss a row that is not yet indexed. Only text bodies are indexed,
// and at most kMaxIndexedBodyBytes of each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

inline constexpr std::size_t kMaxIndexedBodyBytes = 1u << 20;

// The SQL expression over a `bodies` row for the text bodies_fts indexes:
// its first kMaxIndexedBodyBytes bytes as text. Indexing inserts it and
// pruning deletes with it: FTS5's 'delete' needs the very same text.
std::string indexed_body_text_sql();

struct SearchIndexLag {
  std::int64_t exchanges = 0;  // exchanges whose URL is not indexed yet (by id: an upper bound)
  std::int64_t bodies = 0;     // bodies not indexed yet (by id, text or not: an upper bound)
  bool caught_up() const { return exchanges <= 0 && bodies <= 0; }
};

// How far the indexes are behind the rows, from the ids (two index lookups).
Result<SearchIndexLag> search_index_lag(SQLite::Database& db);

// Indexes up to `max_rows` bodies and `max_rows` URLs past the recorded
// positions, in one transaction. Sets `remaining` to whether more are left.
// An index a pruner is merging is left alone (store/search_index_merge.h):
// its rows count as not remaining, for callers to try again later, and
// `left_for_merge` (if given) is set.
Status index_search_batch(SQLite::Database& db, std::size_t max_rows, bool& remaining,
                          bool* left_for_merge = nullptr);

}  // namespace trafficdb
