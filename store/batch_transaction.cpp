#include "store/batch_transaction.h"

#include <algorithm>

#include <sqlite3.h>

#include "common/utf8.h"
#include "store/content_hash.h"
#include "store/exchange_row.h"

namespace trafficdb {
namespace {

template <typename T>
void bind_optional(SQLite::Statement& st, int index, const std::optional<T>& value) {
  if (value) st.bind(index, static_cast<std::int64_t>(*value));
  else st.bind(index);
}

}  // namespace

BatchTransaction::BatchTransaction(SQLite::Database& db, std::uint64_t max_body_bytes)
    : db_(db),
      max_body_bytes_(max_body_bytes),
      begin_(db, "BEGIN IMMEDIATE"),
      commit_(db, "COMMIT"),
      find_body_(db, "SELECT id FROM bodies WHERE hash = ?"),
      insert_body_(db, "INSERT INTO bodies(hash, size, encoding, is_text, data) VALUES(?, ?, ?, ?, ?) "
                   "ON CONFLICT(hash) DO NOTHING"),
      insert_exchange_(db, exchange_row_insert_sql()),
      insert_message_(db,
                      "INSERT INTO websocket_messages(exchange_id, seq, sender, opcode, at, size, is_text, payload) "
                      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)"),
      update_session_(db,
                      "UPDATE sessions SET exchange_count = exchange_count + ?2, "
                      "error_count = error_count + ?3, "
                      "no_response_count = no_response_count + ?6, "
                      "bodies_cut_count = bodies_cut_count + ?7, "
                      "first_exchange_at = CASE WHEN ?4 IS NULL THEN first_exchange_at "
                      "  ELSE min(coalesce(first_exchange_at, ?4), ?4) END, "
                      "last_exchange_at = CASE WHEN ?5 IS NULL THEN last_exchange_at "
                      "  ELSE max(coalesce(last_exchange_at, ?5), ?5) END "
                      "WHERE id = ?1") {}

BatchTransaction::~BatchTransaction() = default;

BatchCounts BatchTransaction::write(const std::vector<QueuedExchange>& items) {
  totals_.clear();
  std::uint64_t stored = 0, reused = 0;
  begin_.exec();
  begin_.reset();
  try {
    for (const QueuedExchange& item : items) insert(item, stored, reused);
    for (const auto& [session, t] : totals_) {
      update_session_.bind(1, static_cast<std::int64_t>(session));
      update_session_.bind(2, static_cast<std::int64_t>(t.count));
      update_session_.bind(3, static_cast<std::int64_t>(t.errors));
      bind_optional(update_session_, 4, t.first);
      bind_optional(update_session_, 5, t.last);
      update_session_.bind(6, static_cast<std::int64_t>(t.no_response));
      update_session_.bind(7, static_cast<std::int64_t>(t.bodies_cut));
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
  return {stored, reused};
}

void BatchTransaction::reset_all() {
  for (SQLite::Statement* st : {&begin_, &commit_, &find_body_, &insert_body_, &insert_exchange_, &insert_message_,
                               &update_session_}) {
    try {
      st->reset();
      st->clearBindings();
    } catch (const SQLite::Exception&) {
    }
  }
}

namespace {

std::string_view kept_bytes(const Body& body, std::uint64_t max_body_bytes) {
  return std::string_view(body.data).substr(0, static_cast<std::size_t>(max_body_bytes));
}

// Captured, but not all of it is kept: cut by the source, or by the store at max_body_bytes.
bool cut(const Body& body, std::uint64_t max_body_bytes) {
  if (!body.captured || body.data.empty()) return false;  // a HEAD answer's Content-Length is no cut body
  const std::uint64_t kept = std::min<std::uint64_t>(body.data.size(), max_body_bytes);
  const std::optional<std::int64_t> size = body.decoded_size();
  return size && static_cast<std::uint64_t>(*size) > kept;
}

std::optional<StoredBodyKey> key_of(const Body& body, std::uint64_t max_body_bytes) {
  if (!body.captured || body.data.empty()) return std::nullopt;
  const std::string_view data = kept_bytes(body, max_body_bytes);
  return StoredBodyKey{content_hash(data), looks_like_text(data)};
}

}  // namespace

QueuedExchange prepare_queued_exchange(std::int64_t session_id, Exchange&& exchange, std::size_t bytes,
                                       std::uint64_t max_body_bytes) {
  QueuedExchange item{session_id, std::move(exchange), bytes, std::nullopt, std::nullopt, {}};
  item.request_body = key_of(item.exchange.request.body, max_body_bytes);
  if (item.exchange.response) item.response_body = key_of(item.exchange.response->body, max_body_bytes);
  item.row_text = exchange_row_text(item.exchange);
  return item;
}

std::optional<std::int64_t> BatchTransaction::store_body(const Body& body, const StoredBodyKey& key,
                                                         std::uint64_t& stored, std::uint64_t& reused) {
  // A new body costs one seek of the hash index (the insert's own); only a
  // body already stored is looked up again for its id.
  const std::string_view data = kept_bytes(body, max_body_bytes_);
  const ContentHash& hash = key.hash;
  insert_body_.bindNoCopy(1, hash.data(), static_cast<int>(hash.size()));
  insert_body_.bind(2, static_cast<std::int64_t>(data.size()));
  if (body.encoding.empty()) insert_body_.bind(3);
  else insert_body_.bindNoCopy(3, body.encoding);
  insert_body_.bind(4, key.is_text ? 1 : 0);
  insert_body_.bindNoCopy(5, data.data(), static_cast<int>(data.size()));
  const bool inserted = insert_body_.exec() > 0;
  insert_body_.reset();
  if (inserted) {
    ++stored;
    return static_cast<std::int64_t>(db_.getLastInsertRowid());
  }
  find_body_.bindNoCopy(1, hash.data(), static_cast<int>(hash.size()));
  if (!find_body_.executeStep()) {
    find_body_.reset();
    throw SQLite::Exception("a body's row was neither inserted nor found", SQLITE_INTERNAL);
  }
  const std::int64_t id = find_body_.getColumn(0).getInt64();
  find_body_.reset();
  ++reused;
  return id;
}

void BatchTransaction::insert(const QueuedExchange& item, std::uint64_t& stored, std::uint64_t& reused) {
  const Exchange& e = item.exchange;
  const Request& rq = e.request;
  const Response* rs = e.response ? &*e.response : nullptr;
  ExchangeRowBodies bodies;
  if (item.request_body) bodies.request = store_body(rq.body, *item.request_body, stored, reused);
  if (rs && item.response_body) bodies.response = store_body(rs->body, *item.response_body, stored, reused);
  SQLite::Statement& st = insert_exchange_;
  bind_exchange_row(st, item.session_id, e, bodies, item.row_text);
  st.exec();
  st.reset();
  if (!e.websocket_messages.empty()) insert_messages(db_.getLastInsertRowid(), e.websocket_messages);

  SessionTotals& t = totals_[item.session_id];
  ++t.count;
  if (!e.error.empty()) ++t.errors;
  if (!rs) ++t.no_response;
  if (cut(rq.body, max_body_bytes_) || (rs && cut(rs->body, max_body_bytes_))) ++t.bodies_cut;
  if (e.timings.started) {
    t.first = t.first ? std::min(*t.first, *e.timings.started) : *e.timings.started;
    t.last = t.last ? std::max(*t.last, *e.timings.started) : *e.timings.started;
  }
}

void BatchTransaction::insert_messages(std::int64_t exchange_id, const std::vector<WebSocketMessage>& messages) {
  std::int64_t seq = 0;
  for (const WebSocketMessage& m : messages) {
    const std::string_view payload =
        std::string_view(m.payload).substr(0, static_cast<std::size_t>(max_body_bytes_));
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


}  // namespace trafficdb
