// Pruning: removing the oldest exchanges (or one session's, or those older
// than a time) with everything only they used, in small steps that never
// hold the write lock for long, then giving the space back.
//
// One step is one IMMEDIATE transaction that removes up to `batch` exchanges
// (oldest first by id, or by start time for an age limit): their WebSocket
// messages, their urls_fts rows, the bodies no exchange references any more
// with their bodies_fts rows, and the sessions' counters (exchange_count and
// the other counts drop, pruned_count grows). Bodies other exchanges still
// use are kept. The batch adapts so that a step holds the write lock for
// about PruneOptions::step_target; between steps the pruner rests at least
// as long as the step took, so a recorder or import writing to the same file
// waits for about one step at most (SQLite's busy handler polls; the rest
// lets it in). Readers are never blocked (WAL).
//
// Whenever the search index entries pruning removed are due to be merged
// away (store/search_index_merge.h), the index is merged, in steps of the
// same kind, before the size is measured again.
//
// Then, when the database has auto_vacuum = INCREMENTAL, free pages are
// given back to the file system by `PRAGMA incremental_vacuum(N)` steps, in
// the same way. A database made before trafficdb created new files so has
// auto_vacuum = NONE: its free pages are reused by later writes but the file
// does not shrink until `convert_to_incremental_vacuum` (a full VACUUM) ran once.
//
// Exchange ids never come back (AUTOINCREMENT), so a consumer's cursor
// (cursors.position) stays valid after any pruning. Ids of bodies may be
// reused; the bodies_fts position is lowered below the highest body left so
// a reused id is indexed again.
//
// Every function takes a read-write connection that is not inside a
// transaction, and is not thread-safe on it. Errors: io_error for SQLite
// failures, busy when the file stayed locked by others for `busy_give_up`;
// steps committed before a failure stay (each is whole).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <set>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "common/timestamp.h"
#include "store/retention_policy.h"

namespace trafficdb {

// Which exchanges a pruning run removes, always oldest first: those that
// started before a time (exchanges without a start time are kept), those of
// one session, both, or (neither) the oldest of all until the database's
// used size is at most `until_used_bytes` (0: all of them).
struct PruneSelection {
  std::optional<Micros> started_before;
  std::optional<std::int64_t> session_id;
  std::uint64_t until_used_bytes = 0;  // only when neither of the above is set

  static PruneSelection older_than(Micros cutoff) { return {cutoff, std::nullopt, 0}; }
  static PruneSelection of_session(std::int64_t id) { return {std::nullopt, id, 0}; }
  static PruneSelection until_size(std::uint64_t bytes) { return {std::nullopt, std::nullopt, bytes}; }
  bool by_size() const { return !started_before && !session_id; }
};

struct PruneOptions {
  std::chrono::milliseconds step_target{25};  // write-lock hold a step aims at
  std::chrono::milliseconds min_rest{5};      // between steps, besides resting as long as the step took
  std::chrono::seconds busy_give_up{60};      // a step waits this long for others' locks, then fails busy
  bool vacuum = true;                         // give free pages back afterwards (incremental vacuum)
  // The vacuum leaves up to this many bytes of free pages in the file. A
  // running recorder fills free pages again within seconds: giving them back
  // only for the file to grow again moves pages for nothing.
  std::int64_t keep_free_bytes = 0;
  const std::atomic<bool>* stop = nullptr;    // set: ends the run after the step in progress
  // Called after each step with the totals so far (a progress line); may be empty.
  std::function<void(const struct PruneReport&)> progress;
  // Called after each step with what that one step did ("prune": exchanges,
  // bodies, ...; "merge": index_merges; "segments": merging the segments
  // pruning added to an index; "vacuum": bytes_given_back; "spans") and how
  // long it held the write lock (longest_step); may be empty.
  std::function<void(const char* kind, const struct PruneReport& step)> on_step;
};

struct PruneReport {
  std::int64_t exchanges = 0;
  std::int64_t bodies = 0;
  std::int64_t websocket_messages = 0;
  std::int64_t body_bytes = 0;
  std::int64_t bytes_given_back = 0;  // the file shrank by this much
  std::int64_t steps = 0;             // prune, merge and vacuum transactions
  std::int64_t index_merges = 0;      // search indexes merged whole (store/search_index_merge.h)
  std::chrono::microseconds longest_step{0};  // longest write-lock hold of one step (wall time)
  const char* longest_step_kind = "";         // that step's kind, as PruneOptions::on_step names it
  // Most CPU time one step used while holding the lock: far below
  // longest_step, the step waited for the disk or for a core.
  std::chrono::microseconds longest_step_cpu{0};
  std::chrono::microseconds elapsed{0};       // the whole run, rests included
  DatabaseSize before, after;
  bool vacuum_unavailable = false;  // free pages stay in the file: auto_vacuum is not INCREMENTAL
  bool stopped = false;             // PruneOptions::stop ended it early
  std::set<std::int64_t> sessions;  // sessions that lost exchanges

  void add(const PruneReport& other);  // counts and steps summed, longest kept, sessions joined
};

// Removes the selected exchanges, then (options.vacuum) gives free pages back.
Result<PruneReport> prune(SQLite::Database& db, const PruneSelection& selection, const PruneOptions& options = {});

// Applies `policy` now: exchanges past max_age, then the oldest until the
// used size is below max_size, then the incremental vacuum. An empty policy
// removes nothing.
Result<PruneReport> apply_retention(SQLite::Database& db, const RetentionPolicy& policy,
                                    const PruneOptions& options = {});

// Gives all free pages back, in steps (nothing when auto_vacuum is not INCREMENTAL).
Result<PruneReport> vacuum_free_pages(SQLite::Database& db, const PruneOptions& options = {});

// Sets auto_vacuum = INCREMENTAL on a database that does not have it, by a
// full VACUUM: it rewrites the whole file (needing about as much free disk
// space again, plus as much write-ahead log), and holds the write lock for
// all of it, so recorders wait (past their 60 s, they fail). Ok and nothing
// done when the database already has it.
Status convert_to_incremental_vacuum(SQLite::Database& db);

}  // namespace trafficdb
