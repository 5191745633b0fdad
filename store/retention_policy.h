// The retention policy of a database (table `retention`, one row), what
// pruning has removed so far, and how much room the database takes.
//
// A policy says how old exchanges may get (by exchanges.started_at) and how
// large the database may grow; either may be absent. It is stored in the
// file, so every process writing to it (recorders, `trafficdb prune`) applies
// the same one (store/pruning.h does the applying).
//
// Size is measured as SQLite sees it: used = (page_count - freelist_count) *
// page_size, the pages holding rows, indexes and the search index. The
// write-ahead log (a few MiB between checkpoints) is not counted, nor are
// free pages: pruning turns used pages into free ones at once, and the
// incremental vacuum then gives free pages back to the file system.
#pragma once

#include <cstdint>
#include <optional>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "common/timestamp.h"

namespace trafficdb {

struct RetentionPolicy {
  std::optional<std::int64_t> max_age_us;       // exchanges older than this are pruned
  std::optional<std::uint64_t> max_size_bytes;  // oldest exchanges pruned until used_bytes is below
  bool empty() const { return !max_age_us && !max_size_bytes; }
};

struct PrunedTotals {
  std::int64_t exchanges = 0;
  std::int64_t bodies = 0;
  std::int64_t websocket_messages = 0;
  std::int64_t body_bytes = 0;        // bytes of the bodies removed
  std::int64_t bytes_given_back = 0;  // the file shrank by this much
  std::optional<Micros> last_pruned_at;
  std::optional<double> last_longest_step_ms;  // of the last run that removed something
};

struct DatabaseSize {
  std::int64_t page_size = 0;
  std::int64_t file_bytes = 0;  // page_count * page_size (the file once the log is checkpointed)
  std::int64_t used_bytes = 0;  // file_bytes minus free pages: what max_size_bytes limits
  std::int64_t free_bytes = 0;  // free pages, given back by the incremental vacuum
  bool incremental_vacuum = false;  // auto_vacuum = INCREMENTAL: free pages can be given back
};

struct RetentionState {
  RetentionPolicy policy;
  std::optional<Micros> policy_set_at;
  PrunedTotals pruned;
  DatabaseSize size;
};

// Any connection, read-only ones included.
Result<DatabaseSize> database_size(SQLite::Database& db);
Result<RetentionPolicy> read_retention_policy(SQLite::Database& db);
Result<RetentionState> read_retention(SQLite::Database& db);

// Replaces the policy (an empty one clears it). invalid_input for a max age
// or size of zero.
Status set_retention_policy(SQLite::Database& db, const RetentionPolicy& policy);

}  // namespace trafficdb
