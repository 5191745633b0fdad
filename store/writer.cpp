#include "store/writer.h"

#include <sqlite3.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "common/utf8.h"
#include "store/content_hash.h"
#include "store/database.h"
#include "store/headers_json.h"
#include "store/recording_lease.h"
#include "store/search_index.h"

namespace trafficdb {
namespace {

// "Application/JSON; charset=utf-8" -> "application/json".
std::string media_type(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  std::string out(value);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string content_type_of(const Headers& headers, const std::string& hint) {
  if (const auto v = find_header(headers, "content-type")) return media_type(*v);
  return media_type(hint);
}

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

bool is_busy(const SQLite::Exception& e) {
  const int code = e.getErrorCode() & 0xff;
  return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

void bind_text_or_null(SQLite::Statement& st, int index, const std::string& value) {
  if (value.empty()) st.bind(index);
  else st.bindNoCopy(index, value);
}

template <typename T>
void bind_optional(SQLite::Statement& st, int index, const std::optional<T>& value) {
  if (value) st.bind(index, static_cast<std::int64_t>(*value));
  else st.bind(index);
}

}  // namespace

// The prepared statements and per-transaction bookkeeping of one connection.
class Writer::Batch {
 public:
  Batch(SQLite::Database& db, const WriterOptions& options)
      : db_(db),
        options_(options),
        begin_(db, "BEGIN IMMEDIATE"),
        commit_(db, "COMMIT"),
        find_body_(db, "SELECT id FROM bodies WHERE hash = ?"),
        insert_body_(db, "INSERT INTO bodies(hash, size, encoding, is_text, data) VALUES(?, ?, ?, ?, ?)"),
        insert_exchange_(db,
                         "INSERT INTO exchanges(session_id, started_at, request_sent_at, response_started_at, "
                         "ended_at, duration_ms, method, scheme, host, port, path, query, url, http_version, "
                         "status, status_text, req_headers, resp_headers, req_content_type, resp_content_type, "
                         "req_body_size, resp_body_size, req_wire_size, resp_wire_size, req_body_id, "
                         "resp_body_id, client_addr, server_addr, error, source_key, tunnel, details) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
        insert_message_(db,
                        "INSERT INTO websocket_messages(exchange_id, seq, sender, opcode, at, size, is_text, payload) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?, ?)"),
        update_session_(db,
                        "UPDATE sessions SET exchange_count = exchange_count + ?2, "
                        "error_count = error_count + ?3, "
                        "first_exchange_at = CASE WHEN ?4 IS NULL THEN first_exchange_at "
                        "  ELSE min(coalesce(first_exchange_at, ?4), ?4) END, "
                        "last_exchange_at = CASE WHEN ?5 IS NULL THEN last_exchange_at "
                        "  ELSE max(coalesce(last_exchange_at, ?5), ?5) END "
                        "WHERE id = ?1") {}

  // Writes all items in one transaction; throws SQLite::Exception.
  void write(const std::vector<Writer::Item>& items, WriterStats& stats) {
    totals_.clear();
    std::uint64_t stored = 0, reused = 0;
    begin_.exec();
    begin_.reset();
    try {
      for (const Item& item : items) insert(item, stored, reused);
      for (const auto& [session, t] : totals_) {
        update_session_.bind(1, static_cast<std::int64_t>(session));
        update_session_.bind(2, static_cast<std::int64_t>(t.count));
        update_session_.bind(3, static_cast<std::int64_t>(t.errors));
        bind_optional(update_session_, 4, t.first);
        bind_optional(update_session_, 5, t.last);
        update_session_.exec();
        update_session_.reset();
      }
      commit_.exec();
      commit_.reset();
    } catch (...) {
      reset_all();
      try {
        db_.exec("ROLLBACK");
      } catch (const SQLite::Exception&) {
      }
      throw;
    }
    stats.exchanges += items.size();
    stats.transactions += 1;
    stats.bodies_stored += stored;
    stats.bodies_reused += reused;
  }

 private:
  struct SessionTotals {
    std::uint64_t count = 0;
    std::uint64_t errors = 0;
    std::optional<Micros> first, last;
  };

  void reset_all() {
    for (SQLite::Statement* st : {&begin_, &commit_, &find_body_, &insert_body_, &insert_exchange_, &insert_message_,
                                 &update_session_}) {
      try {
        st->reset();
        st->clearBindings();
      } catch (const SQLite::Exception&) {
      }
    }
  }

  std::optional<std::int64_t> store_body(const Body& body, std::uint64_t& stored, std::uint64_t& reused) {
    if (!body.captured || body.data.empty()) return std::nullopt;
    const std::string_view data =
        std::string_view(body.data).substr(0, static_cast<std::size_t>(options_.max_body_bytes));
    const ContentHash hash = content_hash(data);
    find_body_.bindNoCopy(1, hash.data(), static_cast<int>(hash.size()));
    if (find_body_.executeStep()) {
      const std::int64_t id = find_body_.getColumn(0).getInt64();
      find_body_.reset();
      ++reused;
      return id;
    }
    find_body_.reset();
    insert_body_.bindNoCopy(1, hash.data(), static_cast<int>(hash.size()));
    insert_body_.bind(2, static_cast<std::int64_t>(data.size()));
    bind_text_or_null(insert_body_, 3, body.encoding);
    insert_body_.bind(4, looks_like_text(data) ? 1 : 0);
    insert_body_.bindNoCopy(5, data.data(), static_cast<int>(data.size()));
    insert_body_.exec();
    insert_body_.reset();
    ++stored;
    return static_cast<std::int64_t>(db_.getLastInsertRowid());
  }

  void insert(const Item& item, std::uint64_t& stored, std::uint64_t& reused) {
    const Exchange& e = item.exchange;
    const Request& rq = e.request;
    const Response* rs = e.response ? &*e.response : nullptr;

    const auto req_body_id = store_body(rq.body, stored, reused);
    const auto resp_body_id = rs ? store_body(rs->body, stored, reused) : std::nullopt;
    const std::string req_headers = headers_to_json(rq.headers);
    const std::string resp_headers = rs ? headers_to_json(rs->headers) : std::string();
    const std::string req_type = content_type_of(rq.headers, rq.mime_type);
    const std::string resp_type = rs ? content_type_of(rs->headers, rs->mime_type) : std::string();
    const std::string& version = !rq.http_version.empty() || !rs ? rq.http_version : rs->http_version;

    SQLite::Statement& st = insert_exchange_;
    st.bind(1, static_cast<std::int64_t>(item.session_id));
    bind_optional(st, 2, e.timings.started);
    bind_optional(st, 3, e.timings.request_sent);
    bind_optional(st, 4, e.timings.response_started);
    bind_optional(st, 5, e.timings.ended);
    if (e.timings.started && e.timings.ended) st.bind(6, (*e.timings.ended - *e.timings.started) / 1000.0);
    else st.bind(6);
    st.bindNoCopy(7, rq.method);
    bind_text_or_null(st, 8, rq.scheme);
    bind_text_or_null(st, 9, rq.host);
    bind_optional(st, 10, rq.port);
    st.bindNoCopy(11, rq.path);
    if (rq.query) st.bindNoCopy(12, *rq.query); else st.bind(12);
    st.bindNoCopy(13, rq.url);
    bind_text_or_null(st, 14, version);
    if (rs) {
      st.bind(15, rs->status);
      st.bindNoCopy(16, rs->status_text);
      st.bindNoCopy(18, resp_headers);
    } else {
      st.bind(15);
      st.bind(16);
      st.bind(18);
    }
    st.bindNoCopy(17, req_headers);
    bind_text_or_null(st, 19, req_type);
    bind_text_or_null(st, 20, resp_type);
    bind_optional(st, 21, rq.body.decoded_size());
    bind_optional(st, 22, rs ? rs->body.decoded_size() : std::nullopt);
    bind_optional(st, 23, rq.body.wire_size);
    bind_optional(st, 24, rs ? rs->body.wire_size : std::nullopt);
    bind_optional(st, 25, req_body_id);
    bind_optional(st, 26, resp_body_id);
    bind_text_or_null(st, 27, e.client_addr);
    bind_text_or_null(st, 28, e.server_addr);
    bind_text_or_null(st, 29, e.error);
    bind_text_or_null(st, 30, e.source_key);
    st.bind(31, e.tunnel ? 1 : 0);
    bind_text_or_null(st, 32, e.details);
    st.exec();
    st.reset();
    if (!e.websocket_messages.empty()) insert_messages(db_.getLastInsertRowid(), e.websocket_messages);

    SessionTotals& t = totals_[item.session_id];
    ++t.count;
    if (!e.error.empty()) ++t.errors;
    if (e.timings.started) {
      t.first = t.first ? std::min(*t.first, *e.timings.started) : *e.timings.started;
      t.last = t.last ? std::max(*t.last, *e.timings.started) : *e.timings.started;
    }
  }

  void insert_messages(std::int64_t exchange_id, const std::vector<WebSocketMessage>& messages) {
    std::int64_t seq = 0;
    for (const WebSocketMessage& m : messages) {
      const std::string_view payload =
          std::string_view(m.payload).substr(0, static_cast<std::size_t>(options_.max_body_bytes));
      SQLite::Statement& st = insert_message_;
      st.bind(1, static_cast<std::int64_t>(exchange_id));
      st.bind(2, seq++);
      st.bind(3, m.sender == WebSocketMessage::Sender::client ? "client" : "server");
      st.bind(4, m.opcode);
      bind_optional(st, 5, m.at);
      st.bind(6, static_cast<std::int64_t>(std::max<std::int64_t>(m.size, static_cast<std::int64_t>(m.payload.size()))));
      st.bind(7, looks_like_text(payload) ? 1 : 0);
      st.bindNoCopy(8, payload.data(), static_cast<int>(payload.size()));
      st.exec();
      st.reset();
    }
  }

  SQLite::Database& db_;
  const WriterOptions& options_;
  SQLite::Statement begin_, commit_, find_body_, insert_body_, insert_exchange_, insert_message_, update_session_;
  std::map<std::int64_t, SessionTotals> totals_;
};

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
  (void)finish_interrupted_sessions(**db);  // best effort: a busy database can wait for the next writer
  try {
    return std::unique_ptr<Writer>(new Writer(std::move(db).value(), options, std::move(checkpointer)));
  } catch (const SQLite::Exception& e) {
    return Status::error(path + ": cannot prepare statements: " + e.what());
  }
}

Writer::Writer(std::unique_ptr<SQLite::Database> db, WriterOptions options,
               std::unique_ptr<BackgroundCheckpointer> checkpointer)
    : options_(options),
      db_(std::move(db)),
      checkpointer_(std::move(checkpointer)),
      batch_(std::make_unique<Batch>(*db_, options_)) {
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() { (void)close(); }

Status Writer::failure() const {
  return failed_ ? Status::error("database write failed: " + *failed_) : Status::ok();
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

Status Writer::consume(std::int64_t session_id, Exchange&& exchange) {
  const std::size_t bytes = approximate_bytes(exchange);
  std::unique_lock lk(mu_);
  // Queued and not-yet-committed exchanges together stay within the budget
  // (one exchange larger than the budget still goes through, alone).
  space_cv_.wait(lk, [&] {
    return (queue_.empty() && pending_bytes_ == 0) ||
           queued_bytes_ + pending_bytes_ + bytes <= options_.queue_max_bytes || failed_ || stopping_;
  });
  if (Status s = failure(); !s.is_ok()) return s;
  if (stopping_) return Status::error("the writer is closed");
  queue_.push_back({session_id, std::move(exchange), bytes});
  queued_bytes_ += bytes;
  ++enqueued_;
  if (queue_.size() == 1 || queue_.size() >= options_.batch_size) work_cv_.notify_one();
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
  return Status::ok();
}

WriterStats Writer::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

Status Writer::write_batch(const std::vector<Item>& items) {
  using clock = std::chrono::steady_clock;
  const auto give_up = clock::now() + std::chrono::seconds(60);
  std::lock_guard db_lock(db_mu_);
  for (;;) {
    try {
      WriterStats delta;
      batch_->write(items, delta);
      std::lock_guard lk(mu_);
      stats_.exchanges += delta.exchanges;
      stats_.transactions += delta.transactions;
      stats_.bodies_stored += delta.bodies_stored;
      stats_.bodies_reused += delta.bodies_reused;
      return Status::ok();
    } catch (const SQLite::Exception& e) {
      // Another writer (a sqlite3 shell, say) holds the lock: wait and retry.
      if (is_busy(e) && clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      return Status::error(e.what());
    } catch (const std::exception& e) {
      return Status::error(e.what());
    }
  }
}

void Writer::run() {
  using clock = std::chrono::steady_clock;
  std::vector<Item> pending;
  clock::time_point oldest{};
  for (;;) {
    bool commit = false;
    bool index = false;
    {
      std::unique_lock lk(mu_);
      auto ready = [&] {
        return !queue_.empty() || stopping_ || (flush_waiters_ > 0 && !pending.empty()) ||
               (!pending.empty() && clock::now() >= oldest + options_.max_delay) ||
               (pending.empty() && index_behind_ && options_.index_when_idle);
      };
      if (pending.empty()) work_cv_.wait(lk, ready);
      else work_cv_.wait_until(lk, oldest + options_.max_delay, ready);

      if (stopping_ && queue_.empty() && pending.empty()) break;
      const std::size_t room = options_.batch_size - pending.size();
      const std::size_t take = std::min(room, queue_.size());
      if (take > 0 && pending.empty()) oldest = clock::now();
      for (std::size_t i = 0; i < take; ++i) {
        queued_bytes_ -= queue_.front().bytes;
        pending_bytes_ += queue_.front().bytes;
        pending.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // A batch also ends when it holds half the byte budget, so producers
      // blocked on the budget are not kept waiting for max_delay.
      commit = !pending.empty() &&
               (pending.size() >= options_.batch_size || pending_bytes_ * 2 >= options_.queue_max_bytes ||
                clock::now() >= oldest + options_.max_delay ||
                (queue_.empty() && (flush_waiters_ > 0 || stopping_)));
      index = !commit && pending.empty() && queue_.empty() && index_behind_ && options_.index_when_idle;
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
  bool remaining = false;
  Status s;
  {
    std::lock_guard db_lock(db_mu_);
    s = index_search_batch(*db_, options_.index_batch_rows, remaining);
  }
  std::lock_guard lk(mu_);
  // A failed index update only slows searches (they scan the rest); it
  // never stops recording. It is tried again after the next commit.
  index_behind_ = s.is_ok() && remaining;
  if (!s.is_ok()) index_error_ = s.message();
  return index_behind_;
}

}  // namespace trafficdb
