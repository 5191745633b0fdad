#include "store/writer.h"

#include <sqlite3.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <map>

#include "common/thread_name.h"
#include "common/utf8.h"
#include "store/content_hash.h"
#include "store/database.h"
#include "store/exchange_row.h"
#include "store/recording_lease.h"
#include "store/search_index.h"
#include "store/write_lock.h"

namespace trafficdb {
namespace {

std::size_t approximate_bytes(const Exchange& e) {
  const Request& rq = e.request;
  std::size_t n = sizeof(Exchange) + rq.method.size() + rq.url.size() + rq.scheme.size() + rq.host.size() +
                  rq.path.size() + rq.query.value_or("").size() + rq.http_version.size() + rq.mime_type.size() +
                  rq.body.data.size() + rq.body.encoding.size() + e.client_addr.size() + e.server_addr.size() +
                  e.source_key.size() + e.error.size() + e.details.size();
  for (const WebSocketMessage& m : e.websocket_messages) n += sizeof(m) + m.payload.size();
  for (const Header& h : rq.headers) n += sizeof(Header) + h.name.size() + h.value.size();
  if (e.response) {
    const Response& rs = *e.response;
    n += rs.status_text.size() + rs.http_version.size() + rs.mime_type.size() + rs.body.data.size() +
         rs.body.encoding.size();
    for (const Header& h : rs.headers) n += sizeof(Header) + h.name.size() + h.value.size();
  }
  return n;
}

}  // namespace

namespace {

class SessionSink : public ExchangeSink {
 public:
  SessionSink(Writer& writer, std::int64_t session_id) : writer_(writer), session_id_(session_id) {}
  Status consume(Exchange&& exchange) override { return writer_.consume(session_id_, std::move(exchange)); }

 private:
  Writer& writer_;
  const std::int64_t session_id_;
};

}  // namespace

Result<std::unique_ptr<Writer>> Writer::open(const std::string& path, WriterOptions options) {
  auto db = open_database(path, OpenMode::read_write);
  if (!db.is_ok()) return db.status();
  std::unique_ptr<BackgroundCheckpointer> checkpointer;
  if (options.background_checkpoint) {
    auto started = BackgroundCheckpointer::start(path);
    if (!started.is_ok()) return started.status();
    checkpointer = std::move(started).value();
    (*db)->exec("PRAGMA wal_autocheckpoint = 0");
  }
  std::unique_ptr<RetentionKeeper> retention;
  if (options.apply_retention) {
    auto started = RetentionKeeper::start(path, options.retention_interval, std::chrono::seconds(1),
                                          options.on_retention_round);
    if (!started.is_ok()) return started.status();
    retention = std::move(started).value();
  }
  (void)finish_interrupted_sessions(**db);  // best effort: a busy database can wait for the next writer
  try {
    return std::unique_ptr<Writer>(
        new Writer(std::move(db).value(), options, std::move(checkpointer), std::move(retention)));
  } catch (const SQLite::Exception& e) {
    return Status::error(path + ": cannot prepare statements: " + e.what());
  }
}

Writer::Writer(std::unique_ptr<SQLite::Database> db, WriterOptions options,
               std::unique_ptr<BackgroundCheckpointer> checkpointer, std::unique_ptr<RetentionKeeper> retention)
    : options_(options),
      db_(std::move(db)),
      checkpointer_(std::move(checkpointer)),
      retention_(std::move(retention)),
      batch_(std::make_unique<BatchTransaction>(*db_, options_.max_body_bytes)),
      merger_(*db_),
      index_rows_(std::min<std::size_t>(64, std::max<std::size_t>(1, options_.index_batch_rows))) {
  thread_ = std::thread([this] {
    name_this_thread("tdb-writer");
    run();
  });
}

Writer::~Writer() { (void)close(); }

Status Writer::failure() const {
  return failed_ ? Status::io_error("database write failed: " + *failed_) : Status::ok();
}

Result<std::int64_t> Writer::create_session(const NewSession& session) {
  {
    std::lock_guard lk(mu_);
    if (Status s = failure(); !s.is_ok()) return s;
  }
  std::lock_guard db_lock(db_mu_);
  const std::string db_path = database_file_path(*db_);
  if (session.status != session_status::recording || db_path.empty()) return insert_session(*db_, session);
  // The lease is taken before the row is committed: no other process can see
  // the row 'recording' without it.
  try {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    auto id = insert_session(*db_, session);
    if (!id.is_ok()) return id.status();
    auto lease = RecordingLease::acquire(db_path, *id);
    if (!lease.is_ok()) return lease.status();
    transaction.commit();
    leases_.emplace(*id, std::move(lease).value());
    return *id;
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("cannot create session: ") + e.what());
  }
}

Status Writer::finish_session(std::int64_t id, std::string_view status, const std::optional<std::string>& error) {
  (void)flush();  // a failed writer still records how the session ended, if it can
  std::lock_guard db_lock(db_mu_);
  Status finished = trafficdb::finish_session(*db_, id, status, error);
  if (finished.is_ok()) leases_.erase(id);
  return finished;
}

Status Writer::delete_session(std::int64_t id) {
  if (Status s = flush(); !s.is_ok()) return s;
  std::lock_guard db_lock(db_mu_);
  Status deleted = trafficdb::delete_session(*db_, id);
  if (deleted.is_ok()) leases_.erase(id);
  return deleted;
}

Status Writer::set_session_integrity(std::int64_t id, const std::string& integrity_json) {
  std::lock_guard db_lock(db_mu_);
  return trafficdb::set_session_integrity(*db_, id, integrity_json);
}

Status Writer::consume(std::int64_t session_id, Exchange&& exchange) {
  const std::size_t bytes = approximate_bytes(exchange);
  // Worked out here, not on the writer's thread.
  QueuedExchange item = prepare_queued_exchange(session_id, std::move(exchange), bytes, options_.max_body_bytes);
  std::unique_lock lk(mu_);
  // Queued and not-yet-committed exchanges together stay within the budget
  // (one exchange larger than the budget still goes through, alone).
  space_cv_.wait(lk, [&] {
    return (queue_.empty() && pending_bytes_ == 0) ||
           queued_bytes_ + pending_bytes_ + bytes <= options_.queue_max_bytes || failed_ || stopping_;
  });
  if (Status s = failure(); !s.is_ok()) return s;
  if (stopping_) return Status::error("the writer is closed");
  queue_.push_back(std::move(item));
  queued_bytes_ += bytes;
  ++enqueued_;
  // The thread is woken only when it has something to do: a first exchange
  // to start a batch with, or a batch that is full (by count or bytes). In
  // between it sleeps until the batch's max_delay: no wake-up per exchange.
  const bool first = pending_count_ == 0 && queue_.size() == 1;
  const bool full = queue_.size() + pending_count_ >= options_.batch_size ||
                    (queued_bytes_ + pending_bytes_) * 2 >= options_.queue_max_bytes;
  if (first || full) work_cv_.notify_one();
  return Status::ok();
}

std::unique_ptr<ExchangeSink> Writer::sink(std::int64_t session_id) {
  return std::make_unique<SessionSink>(*this, session_id);
}

Status Writer::flush() {
  std::unique_lock lk(mu_);
  const std::uint64_t target = enqueued_;
  ++flush_waiters_;
  work_cv_.notify_one();
  done_cv_.wait(lk, [&] { return committed_ >= target || failed_; });
  --flush_waiters_;
  return failure();
}

Status Writer::close() {
  std::lock_guard closing(close_mu_);  // a second caller waits for the first to finish
  {
    std::lock_guard lk(mu_);
    if (closed_) return failure();
    closed_ = true;
  }
  if (retention_) retention_->stop();  // after its step in progress
  Status flushed = flush();
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  space_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  checkpointer_.reset();  // the writer's connection checkpoints what is left when it closes
  std::lock_guard lk(mu_);
  return failure();
}

Status Writer::update_search_index() {
  if (Status s = flush(); !s.is_ok()) return s;
  std::lock_guard db_lock(db_mu_);
  for (bool remaining = true; remaining;) {
    if (Status s = index_search_batch(*db_, 20000, remaining); !s.is_ok()) return s;
  }
  try {
    merger_.run_to_end();
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("search index merge failed: ") + e.what());
  }
  return Status::ok();
}

WriterStats Writer::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

RetentionRounds Writer::retention_rounds() const { return retention_ ? retention_->rounds() : RetentionRounds{}; }

Status Writer::write_batch(const std::vector<Item>& items) {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  const auto give_up = started + std::chrono::seconds(60);
  std::lock_guard db_lock(db_mu_);
  for (;;) {
    try {
      const BatchCounts counts = batch_->write(items);
      const auto took = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started);
      std::lock_guard lk(mu_);
      stats_.longest_commit = std::max(stats_.longest_commit, took);
      stats_.exchanges += items.size();
      stats_.transactions += 1;
      stats_.bodies_stored += counts.bodies_stored;
      stats_.bodies_reused += counts.bodies_reused;
      return Status::ok();
    } catch (const SQLite::Exception& e) {
      // Another writer (a sqlite3 shell, say) holds the lock: wait and retry.
      if (is_busy(e) && clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      if (is_busy(e)) return Status::busy(std::string("the database stayed locked for 60 s: ") + e.what());
      // The batch was rolled back; what earlier batches committed stays.
      if ((e.getErrorCode() & 0xff) == SQLITE_FULL)
        return Status::io_error(std::string(e.what()) +
                                " (no space left where the database is: free some, then record again; what was stored before "
                                "is intact)");
      return Status::io_error(e.what());
    } catch (const std::exception& e) {
      return Status::error(e.what());
    }
  }
}

void Writer::run() {
  using clock = std::chrono::steady_clock;
  std::vector<Item> pending;
  clock::time_point oldest{};
  {
    std::lock_guard lk(mu_);
    queue_.reserve(std::min<std::size_t>(options_.batch_size, 4096));
  }
  for (;;) {
    bool commit = false;
    bool index = false;
    {
      std::unique_lock lk(mu_);
      auto ready = [&] {
        if (stopping_) return true;
        if (pending.empty())
          return !queue_.empty() || ((index_behind_ || segments_behind_) && options_.index_when_idle);
        return flush_waiters_ > 0 || queue_.size() + pending.size() >= options_.batch_size ||
               (queued_bytes_ + pending_bytes_) * 2 >= options_.queue_max_bytes ||
               clock::now() >= oldest + options_.max_delay;
      };
      if (pending.empty()) work_cv_.wait(lk, ready);
      else work_cv_.wait_until(lk, oldest + options_.max_delay, ready);

      if (stopping_ && queue_.empty() && pending.empty()) break;
      // The queue joins the batch, up to batch_size. Most often it fits
      // whole and the two vectors trade places, so neither reallocates once grown.
      if (!queue_.empty()) {
        if (pending.empty()) oldest = clock::now();
        const std::size_t take = std::min(options_.batch_size - std::min(options_.batch_size, pending.size()),
                                          queue_.size());
        if (pending.empty() && take == queue_.size()) {
          pending.swap(queue_);
          pending_bytes_ += queued_bytes_;
          queued_bytes_ = 0;
        } else {
          for (std::size_t i = 0; i < take; ++i) {
            queued_bytes_ -= queue_[i].bytes;
            pending_bytes_ += queue_[i].bytes;
            pending.push_back(std::move(queue_[i]));
          }
          queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
        }
      }
      pending_count_ = pending.size();
      // A batch also ends when it holds half the byte budget, so producers
      // blocked on the budget are not kept waiting for max_delay.
      commit = !pending.empty() &&
               (pending.size() >= options_.batch_size || pending_bytes_ * 2 >= options_.queue_max_bytes ||
                clock::now() >= oldest + options_.max_delay ||
                (queue_.empty() && (flush_waiters_ > 0 || stopping_)));
      index = !commit && pending.empty() && queue_.empty() && (index_behind_ || segments_behind_) &&
              options_.index_when_idle;
    }
    if (index) {
      index_step();
      continue;
    }
    if (!commit) continue;

    Status s = write_batch(pending);
    if (s.is_ok() && checkpointer_) checkpointer_->committed();
    const std::size_t written = pending.size();
    pending.clear();  // frees the bodies before producers are let in
    std::lock_guard lk(mu_);
    pending_count_ = 0;
    committed_ += written;
    pending_bytes_ = 0;
    index_behind_ = true;
    space_cv_.notify_all();
    if (!s.is_ok() && !failed_) {
      failed_ = s.message();
      // Nothing more will be written: drop what is queued and wake everyone.
      committed_ += queue_.size();
      queue_.clear();
      queued_bytes_ = 0;
    }
    done_cv_.notify_all();
    if (failed_) {
      // consume() refuses new work from now on; wake producers and stop.
      space_cv_.notify_all();
      return;
    }
  }
  // Stopping: bring the search indexes up to date so later searches are fast.
  if (options_.index_on_close) {
    while (index_step()) {
    }
  }
}

bool Writer::index_step() {
  bool rows_behind = false, segments_behind = false;
  {
    std::lock_guard lk(mu_);
    rows_behind = index_behind_;
    segments_behind = segments_behind_;
  }
  bool rows = false;
  bool more = false;
  Status s;
  {
    std::lock_guard db_lock(db_mu_);
    // While both are behind, rows and merging take turns (each rows step
    // adds a segment), and merging goes first while a level holds many
    // segments (search_index_merge.h).
    rows = rows_behind && !(segments_behind && (last_step_indexed_rows_ || merger_.pressed()));
    last_step_indexed_rows_ = rows;
    if (rows) {
      const auto started = std::chrono::steady_clock::now();
      bool left_for_merge = false;
      s = index_search_batch(*db_, index_rows_, more, &left_for_merge);
      // Sized so a batch holds the write lock about kIndexStepTarget: rows
      // pile up while a pruner merges an index, and the recorder's next
      // commit waits for the batch that catches up. A batch that left an
      // index alone (a pruner merges it) says nothing of that index's cost:
      // growing on it, the first batch after the merge took 1.2 s.
      const auto took = std::chrono::steady_clock::now() - started;
      if (took > 2 * kIndexStepTarget) index_rows_ = std::max<std::size_t>(1, index_rows_ / 2);
      else if (took < kIndexStepTarget / 2 && more && !left_for_merge)
        index_rows_ = std::min(options_.index_batch_rows, index_rows_ * 2);
    } else {
      try {
        more = merger_.step();
      } catch (const SQLite::Exception& e) {
        s = Status::error(std::string("search index merge failed: ") + e.what());
      }
    }
  }
  std::lock_guard lk(mu_);
  // A failed index update only slows searches (they scan the rest); it
  // never stops recording. It is tried again after the next commit.
  if (rows) {
    index_behind_ = s.is_ok() && more;
    segments_behind_ = segments_behind_ || s.is_ok();
  } else {
    segments_behind_ = s.is_ok() && more;
  }
  if (!s.is_ok()) index_error_ = s.message();
  return index_behind_ || segments_behind_;
}

}  // namespace trafficdb
