// Writer: the one thing that writes exchanges into the store.
//
// Sources hand it Exchanges (through sink(session_id), an ExchangeSink); a
// background thread writes them in batched transactions, committing when a
// batch is full (batch_size) or when its oldest exchange has waited max_delay,
// so a live capture's rows are visible to readers within max_delay and a bulk
// import writes thousands of rows per commit. Each row is written once,
// complete; ids only grow, in the order exchanges were consumed.
//
// After commits, when it has nothing else to do, the thread brings the
// full-text search indexes up to date (store/search_index.h). With
// apply_retention, a RetentionKeeper beside it prunes by the database's policy.
//
// Bodies are stored once per content (SHA-256 of the decoded bytes), cut at
// max_body_bytes; exchanges keep their full decoded size. Prepared statements
// are cached for the writer's lifetime.
//
// Memory: exchanges queued or in the batch being written take at most
// queue_max_bytes (bodies counted); consume() blocks while that is used up
// (back-pressure on the source).
//
// Failure: if a transaction cannot be committed (after retrying a locked
// database for a while), the batch in flight is lost, the writer fails, and
// every later call returns that error; rows committed before stay. All
// methods may be called from any thread.
//
// A session created 'recording' holds a RecordingLease until it is finished
// or deleted (or the writer goes away), so other processes can tell a
// recording in progress from one whose process died. Opening a writer marks
// the sessions such processes left 'recording' as failed
// (finish_interrupted_sessions).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "common/status.h"
#include "model/exchange_sink.h"
#include "store/batch_transaction.h"
#include "store/background_checkpointer.h"
#include "store/recording_lease.h"
#include "store/retention_keeper.h"
#include "store/search_index_merge.h"
#include "store/sessions.h"

namespace trafficdb {

struct WriterOptions {
  std::size_t batch_size = 2000;
  std::chrono::milliseconds max_delay{200};
  std::size_t queue_max_bytes = 256u << 20;
  std::uint64_t max_body_bytes = 32u << 20;
  // The full-text indexes are updated in batches of up to this many rows
  // (fewer when a batch would hold the write lock long) while
  // the writer is idle (index_when_idle: right for live recording, where the
  // writer mostly waits), and brought up to date on close (index_on_close).
  // A bulk import turns both off: indexing costs more than the import, so
  // `trafficdb index` does it after; searches scan what is not indexed.
  std::size_t index_batch_rows = 2000;
  bool index_when_idle = true;
  bool index_on_close = false;
  // Checkpoints on a thread of their own (BackgroundCheckpointer) instead of
  // inside the commits that cross SQLite's threshold: each one syncs the
  // disk twice, which a bulk import should not wait for.
  bool background_checkpoint = false;
  // Applies the database's retention policy while the writer is open, on a
  // connection and thread of its own (store/retention_keeper.h), every
  // retention_interval: right for live recording, which may run for days.
  bool apply_retention = false;
  std::chrono::milliseconds retention_interval = RetentionKeeper::kInterval;
  RetentionKeeper::RoundObserver on_retention_round;  // may be empty
};

struct WriterStats {
  std::uint64_t exchanges = 0;      // rows committed
  std::uint64_t transactions = 0;   // commits
  std::uint64_t bodies_stored = 0;  // new rows in bodies
  std::uint64_t bodies_reused = 0;  // bodies found already stored
  // Longest time one batch took to commit, waits for other writers' locks
  // (a pruner's step, another recorder's batch) included: the writer's stall.
  std::chrono::microseconds longest_commit{0};
};

class Writer {
 public:
  // Opens (creating and migrating if needed) the database at `path`.
  static Result<std::unique_ptr<Writer>> open(const std::string& path, WriterOptions options = {});
  ~Writer();  // close()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Result<std::int64_t> create_session(const NewSession& session);
  // Flushes the session's pending exchanges first, so its counts are final.
  Status finish_session(std::int64_t id, std::string_view status, const std::optional<std::string>& error);
  Status delete_session(std::int64_t id);
  // Sets the session's capture integrity (store/sessions.h); not queued:
  // written at once, between batches.
  Status set_session_integrity(std::int64_t id, const std::string& integrity_json);

  // Queues one exchange of `session_id`; blocks while the queue is full.
  Status consume(std::int64_t session_id, Exchange&& exchange);

  // An ExchangeSink that consumes into `session_id`. Must not outlive the writer.
  std::unique_ptr<ExchangeSink> sink(std::int64_t session_id);

  // Returns once everything consumed before the call is committed.
  Status flush();

  // Flushes and stops the thread. Idempotent; returns the writer's failure, if any.
  Status close();

  // Brings the search indexes up to date now (after a flush), their
  // segments merged. For callers that turned idle indexing off and want a
  // small import indexed.
  Status update_search_index();

  WriterStats stats() const;
  // What applying the retention policy removed (apply_retention); empty otherwise.
  RetentionRounds retention_rounds() const;

 private:
  using Item = QueuedExchange;

  Writer(std::unique_ptr<SQLite::Database> db, WriterOptions options,
         std::unique_ptr<BackgroundCheckpointer> checkpointer, std::unique_ptr<RetentionKeeper> retention);
  void run();
  Status write_batch(const std::vector<Item>& items);
  Status failure() const;  // requires mu_
  // One search-index transaction: a batch of rows or a step merging the
  // segments they added (taking turns while both are behind, merging first
  // while a level holds many). True when more is left.
  bool index_step();

  const WriterOptions options_;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<BackgroundCheckpointer> checkpointer_;  // null: SQLite checkpoints in the commits
  std::unique_ptr<RetentionKeeper> retention_;            // null: apply_retention off
  std::mutex db_mu_;  // guards db_, the statements and leases_
  std::map<std::int64_t, RecordingLease> leases_;  // sessions this writer records
  std::unique_ptr<BatchTransaction> batch_;
  SegmentMerger merger_;
  // At 20 ms, a recorder of 100 exchanges/s with 4 KB text bodies indexed
  // about half of them (each transaction's fixed cost); at 50 ms about 70%,
  // with the same visible latency (bench/README, soak_bench).
  static constexpr std::chrono::milliseconds kIndexStepTarget{50};
  std::size_t index_rows_ = 64;  // rows per index batch (writer thread only), up to index_batch_rows
  bool last_step_indexed_rows_ = false;  // writer thread only

  std::mutex close_mu_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // the thread waits for work
  std::condition_variable space_cv_;  // producers wait for queue space
  std::condition_variable done_cv_;   // flushers wait for commits
  std::vector<Item> queue_;  // consumed, not yet taken by the thread
  std::size_t queued_bytes_ = 0;
  std::size_t pending_bytes_ = 0;  // taken by the thread, not yet committed
  std::size_t pending_count_ = 0;  // exchanges taken by the thread, not yet committed
  std::uint64_t enqueued_ = 0;
  std::uint64_t committed_ = 0;  // items committed (or dropped on failure)
  int flush_waiters_ = 0;
  bool stopping_ = false;
  bool closed_ = false;
  std::optional<std::string> failed_;
  bool index_behind_ = true;      // the search indexes may lag the rows
  bool segments_behind_ = false;  // indexing added segments that may need merging
  std::string index_error_;
  WriterStats stats_;
  std::thread thread_;
};

}  // namespace trafficdb
