// ExchangeRow: how an Exchange maps onto a row of the exchanges table, in
// one place. The Writer binds rows with it; the query layer's loader reads
// them back with it; the writer benchmark's raw-SQLite baseline inserts the
// same rows with it. A new column is added here (and in a migration).
//
// Bodies are not in the row: the caller stores them (bodies table, once per
// content hash) and passes their ids; reading gives the ids back with
// Body::data left empty.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <SQLiteCpp/Statement.h>

#include "model/exchange.h"

namespace trafficdb {

// The exchanges columns an Exchange fills, in bind order (?1 .. ?N).
inline constexpr std::array<std::string_view, 33> kExchangeRowColumns = {
    "session_id",      "started_at",        "request_sent_at", "response_started_at", "ended_at",
    "duration_ms",     "method",            "scheme",          "host",                "port",
    "path",            "query",             "url",             "http_version",        "status",
    "status_text",     "req_headers",       "resp_headers",    "req_content_type",    "resp_content_type",
    "req_body_size",   "resp_body_size",    "req_wire_size",   "resp_wire_size",      "req_body_id",
    "resp_body_id",    "client_addr",       "server_addr",     "error",               "source_key",
    "tunnel",          "details",           "path_template"};

// "INSERT INTO exchanges(<columns>) VALUES(?, ...)".
std::string exchange_row_insert_sql();

// The columns for a SELECT, each prefixed with `alias` and a dot ("e.session_id, e.started_at, ...").
std::string exchange_row_select_list(std::string_view alias);

struct ExchangeRowBodies {
  std::optional<std::int64_t> request;   // bodies.id of the request's body; nullopt: none stored
  std::optional<std::int64_t> response;
};

// Text the row derives from an exchange (headers as JSON, media types, the
// path's template). Bound without copying: it must outlive the statement's step.
struct ExchangeRowText {
  std::string req_headers, resp_headers, req_content_type, resp_content_type, path_template;
};

// Works out the text columns of `exchange`: pure, so a producer thread can
// do it before the exchange reaches the writer's.
ExchangeRowText exchange_row_text(const Exchange& exchange);

// Binds one exchange of `session_id` to `insert` (made from
// exchange_row_insert_sql()), `text` being exchange_row_text(exchange).
// `exchange` and `text` must outlive the step.
void bind_exchange_row(SQLite::Statement& insert, std::int64_t session_id, const Exchange& exchange,
                       const ExchangeRowBodies& bodies, const ExchangeRowText& text);

struct ExchangeRowRead {
  std::int64_t session_id = 0;
  std::optional<double> duration_ms;
  ExchangeRowBodies bodies;
};

// Reads columns [first, first + kExchangeRowColumns.size()) of `row`'s
// current row (selected with exchange_row_select_list) into `exchange`.
// Bodies get their sizes, not their bytes.
ExchangeRowRead read_exchange_row(SQLite::Statement& row, int first, Exchange& exchange);

// "Application/JSON; charset=utf-8" -> "application/json": what the
// *_content_type columns hold.
std::string media_type(std::string_view content_type);

}  // namespace trafficdb
