#include "query/exchange_loader.h"

#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

namespace trafficdb {
namespace {

Headers parse_headers(const SQLite::Column& c) {
  Headers out;
  if (c.isNull()) return out;
  const auto parsed = nlohmann::json::parse(c.getString(), nullptr, false);
  if (!parsed.is_array()) return out;
  for (const auto& pair : parsed) {
    if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string())
      out.push_back({pair[0].get<std::string>(), pair[1].get<std::string>()});
  }
  return out;
}

std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<std::int64_t>(c.getInt64());
}

std::string text_or_empty(const SQLite::Column& c) { return c.isNull() ? "" : c.getString(); }

// Fills body from columns: size, wire size, body id's data/encoding/is_text.
void fill_body(Body& body, const SQLite::Column& size, const SQLite::Column& wire, const SQLite::Column& data,
               const SQLite::Column& encoding, const SQLite::Column& body_id, bool& is_text,
               const SQLite::Column& text_flag) {
  body.size = opt_int(size);
  body.wire_size = opt_int(wire);
  if (!body_id.isNull()) {
    body.data.assign(static_cast<const char*>(data.getBlob()), static_cast<std::size_t>(data.getBytes()));
    body.encoding = text_or_empty(encoding);
    is_text = text_flag.getInt() != 0;
  }
  body.captured = !body_id.isNull() || (body.size && *body.size == 0);
}

}  // namespace

Result<std::optional<StoredExchange>> load_exchange(SQLite::Database& db, std::int64_t id,
                                                     std::size_t max_websocket_messages) {
  try {
    SQLite::Statement st(
        db,
        "SELECT e.id, e.session_id, e.started_at, e.request_sent_at, e.response_started_at, e.ended_at, "
        "e.duration_ms, e.method, e.scheme, e.host, e.port, e.path, e.query, e.url, e.http_version, e.status, "
        "e.status_text, e.req_headers, e.resp_headers, e.req_body_size, e.resp_body_size, e.req_wire_size, "
        "e.resp_wire_size, e.req_body_id, rq.data, rq.encoding, rq.is_text, e.resp_body_id, rs.data, rs.encoding, "
        "rs.is_text, e.client_addr, e.server_addr, e.error, e.source_key, e.tunnel, e.details, "
        "(SELECT count(*) FROM websocket_messages m WHERE m.exchange_id = e.id) "
        "FROM exchanges e LEFT JOIN bodies rq ON rq.id = e.req_body_id LEFT JOIN bodies rs ON rs.id = e.resp_body_id "
        "WHERE e.id = ?");
    st.bind(1, static_cast<std::int64_t>(id));
    if (!st.executeStep()) return std::optional<StoredExchange>();
    StoredExchange out;
    Exchange& ex = out.exchange;
    out.id = st.getColumn(0).getInt64();
    out.session_id = st.getColumn(1).getInt64();
    ex.timings.started = opt_int(st.getColumn(2));
    ex.timings.request_sent = opt_int(st.getColumn(3));
    ex.timings.response_started = opt_int(st.getColumn(4));
    ex.timings.ended = opt_int(st.getColumn(5));
    if (!st.getColumn(6).isNull()) out.duration_ms = st.getColumn(6).getDouble();
    Request& rq = ex.request;
    rq.method = st.getColumn(7).getString();
    rq.scheme = text_or_empty(st.getColumn(8));
    rq.host = text_or_empty(st.getColumn(9));
    if (!st.getColumn(10).isNull()) rq.port = st.getColumn(10).getInt();
    rq.path = text_or_empty(st.getColumn(11));
    if (!st.getColumn(12).isNull()) rq.query = st.getColumn(12).getString();
    rq.url = st.getColumn(13).getString();
    rq.http_version = text_or_empty(st.getColumn(14));
    rq.headers = parse_headers(st.getColumn(17));
    fill_body(rq.body, st.getColumn(19), st.getColumn(21), st.getColumn(24), st.getColumn(25), st.getColumn(23),
              out.req_body_is_text, st.getColumn(26));
    if (!st.getColumn(15).isNull()) {
      Response rs;
      rs.status = st.getColumn(15).getInt();
      rs.status_text = text_or_empty(st.getColumn(16));
      rs.http_version = rq.http_version;
      rs.headers = parse_headers(st.getColumn(18));
      fill_body(rs.body, st.getColumn(20), st.getColumn(22), st.getColumn(28), st.getColumn(29), st.getColumn(27),
                out.resp_body_is_text, st.getColumn(30));
      ex.response = std::move(rs);
    }
    ex.client_addr = text_or_empty(st.getColumn(31));
    ex.server_addr = text_or_empty(st.getColumn(32));
    ex.error = text_or_empty(st.getColumn(33));
    ex.source_key = text_or_empty(st.getColumn(34));
    ex.tunnel = st.getColumn(35).getInt() != 0;
    ex.details = text_or_empty(st.getColumn(36));
    out.websocket_message_count = st.getColumn(37).getInt64();

    if (out.websocket_message_count > 0 && max_websocket_messages > 0) {
      // Payloads only up to what a view shows: a message may be megabytes.
      SQLite::Statement m(db, "SELECT sender, opcode, at, size, substr(payload, 1, 65536) FROM websocket_messages "
                              "WHERE exchange_id = ? ORDER BY seq LIMIT ?");
      m.bind(1, static_cast<std::int64_t>(id));
      m.bind(2, static_cast<std::int64_t>(max_websocket_messages));
      while (m.executeStep()) {
        WebSocketMessage msg;
        msg.sender = m.getColumn(0).getString() == "client" ? WebSocketMessage::Sender::client
                                                             : WebSocketMessage::Sender::server;
        msg.opcode = m.getColumn(1).getInt();
        msg.at = opt_int(m.getColumn(2));
        msg.size = m.getColumn(3).getInt64();
        msg.payload.assign(static_cast<const char*>(m.getColumn(4).getBlob()),
                           static_cast<std::size_t>(m.getColumn(4).getBytes()));
        ex.websocket_messages.push_back(std::move(msg));
      }
    }
    return std::optional<StoredExchange>(std::move(out));
  } catch (const SQLite::Exception& e) {
    return Status::error("cannot load exchange " + std::to_string(id) + ": " + e.what());
  }
}

}  // namespace trafficdb
