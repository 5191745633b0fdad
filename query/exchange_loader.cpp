#include "query/exchange_loader.h"

#include <SQLiteCpp/Statement.h>

#include "store/exchange_row.h"

namespace trafficdb {
namespace {

std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<std::int64_t>(c.getInt64());
}

// The stored bytes of a body read by read_exchange_row: data, encoding, is_text.
void fill_body(Body& body, bool stored, const SQLite::Column& data, const SQLite::Column& encoding,
               const SQLite::Column& text_flag, bool& is_text) {
  if (!stored) return;
  body.data.assign(static_cast<const char*>(data.getBlob()), static_cast<std::size_t>(data.getBytes()));
  body.encoding = encoding.isNull() ? "" : encoding.getString();
  is_text = text_flag.getInt() != 0;
}

}  // namespace

Result<std::optional<StoredExchange>> load_exchange(SQLite::Database& db, std::int64_t id,
                                                     std::size_t max_websocket_messages) {
  constexpr int kRow = 1;  // the row's columns start after e.id
  constexpr int kAfterRow = kRow + static_cast<int>(kExchangeRowColumns.size());
  try {
    SQLite::Statement st(
        db, "SELECT e.id, " + exchange_row_select_list("e") +
                ", rq.data, rq.encoding, rq.is_text, rs.data, rs.encoding, rs.is_text, "
                "(SELECT count(*) FROM websocket_messages m WHERE m.exchange_id = e.id) "
                "FROM exchanges e LEFT JOIN bodies rq ON rq.id = e.req_body_id "
                "LEFT JOIN bodies rs ON rs.id = e.resp_body_id WHERE e.id = ?");
    st.bind(1, static_cast<std::int64_t>(id));
    if (!st.executeStep()) return std::optional<StoredExchange>();
    StoredExchange out;
    Exchange& ex = out.exchange;
    out.id = st.getColumn(0).getInt64();
    const ExchangeRowRead row = read_exchange_row(st, kRow, ex);
    out.session_id = row.session_id;
    out.duration_ms = row.duration_ms;
    fill_body(ex.request.body, row.bodies.request.has_value(), st.getColumn(kAfterRow),
              st.getColumn(kAfterRow + 1), st.getColumn(kAfterRow + 2), out.req_body_is_text);
    if (ex.response)
      fill_body(ex.response->body, row.bodies.response.has_value(), st.getColumn(kAfterRow + 3),
                st.getColumn(kAfterRow + 4), st.getColumn(kAfterRow + 5), out.resp_body_is_text);
    out.websocket_message_count = st.getColumn(kAfterRow + 6).getInt64();

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
