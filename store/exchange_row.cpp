#include "store/exchange_row.h"

#include <SQLiteCpp/Column.h>

#include "common/ascii.h"
#include "model/path_template.h"
#include "store/headers_json.h"

namespace trafficdb {
namespace {

// Bind positions, 1-based, as in kExchangeRowColumns.
enum Column : int {
  kSessionId = 1, kStartedAt, kRequestSentAt, kResponseStartedAt, kEndedAt, kDurationMs, kMethod, kScheme, kHost,
  kPort, kPath, kQuery, kUrl, kHttpVersion, kStatus, kStatusText, kReqHeaders, kRespHeaders, kReqContentType,
  kRespContentType, kReqBodySize, kRespBodySize, kReqWireSize, kRespWireSize, kReqBodyId, kRespBodyId,
  kClientAddr, kServerAddr, kError, kSourceKey, kTunnel, kDetails, kPathTemplate
};
static_assert(kPathTemplate == static_cast<int>(kExchangeRowColumns.size()));

void bind_text_or_null(SQLite::Statement& st, int index, const std::string& value) {
  if (value.empty()) st.bind(index);
  else st.bindNoCopy(index, value);
}

template <typename T>
void bind_optional(SQLite::Statement& st, int index, const std::optional<T>& value) {
  if (value) st.bind(index, static_cast<std::int64_t>(*value));
  else st.bind(index);
}

std::string content_type_of(const Headers& headers, const std::string& hint) {
  if (const auto v = find_header(headers, "content-type")) return media_type(*v);
  return media_type(hint);
}

std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<std::int64_t>(c.getInt64());
}

std::string text_or_empty(const SQLite::Column& c) { return c.isNull() ? "" : c.getString(); }

}  // namespace

std::string exchange_row_insert_sql() {
  std::string sql = "INSERT INTO exchanges(";
  std::string values = "VALUES(";
  for (std::size_t i = 0; i < kExchangeRowColumns.size(); ++i) {
    sql += (i ? ", " : "") + std::string(kExchangeRowColumns[i]);
    values += i ? ",?" : "?";
  }
  return sql + ") " + values + ")";
}

std::string exchange_row_select_list(std::string_view alias) {
  std::string out;
  for (std::size_t i = 0; i < kExchangeRowColumns.size(); ++i) {
    if (i) out += ", ";
    out.append(alias).append(".").append(kExchangeRowColumns[i]);
  }
  return out;
}

std::string media_type(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return ascii_lower(value);
}

ExchangeRowText exchange_row_text(const Exchange& e) {
  const Request& rq = e.request;
  const Response* rs = e.response ? &*e.response : nullptr;
  ExchangeRowText text;
  text.req_headers = headers_to_json(rq.headers);
  if (rs) text.resp_headers = headers_to_json(rs->headers);
  text.req_content_type = content_type_of(rq.headers, rq.mime_type);
  if (rs) text.resp_content_type = content_type_of(rs->headers, rs->mime_type);
  text.path_template = path_template(rq.path);
  return text;
}

void bind_exchange_row(SQLite::Statement& st, std::int64_t session_id, const Exchange& e,
                       const ExchangeRowBodies& bodies, const ExchangeRowText& text) {
  const Request& rq = e.request;
  const Response* rs = e.response ? &*e.response : nullptr;
  const std::string& version = !rq.http_version.empty() || !rs ? rq.http_version : rs->http_version;

  st.bind(kSessionId, static_cast<std::int64_t>(session_id));
  bind_optional(st, kStartedAt, e.timings.started);
  bind_optional(st, kRequestSentAt, e.timings.request_sent);
  bind_optional(st, kResponseStartedAt, e.timings.response_started);
  bind_optional(st, kEndedAt, e.timings.ended);
  if (e.timings.started && e.timings.ended) st.bind(kDurationMs, (*e.timings.ended - *e.timings.started) / 1000.0);
  else st.bind(kDurationMs);
  st.bindNoCopy(kMethod, rq.method);
  bind_text_or_null(st, kScheme, rq.scheme);
  bind_text_or_null(st, kHost, rq.host);
  bind_optional(st, kPort, rq.port);
  st.bindNoCopy(kPath, rq.path);
  if (rq.query) st.bindNoCopy(kQuery, *rq.query);
  else st.bind(kQuery);
  st.bindNoCopy(kUrl, rq.url);
  bind_text_or_null(st, kHttpVersion, version);
  if (rs) {
    st.bind(kStatus, rs->status);
    st.bindNoCopy(kStatusText, rs->status_text);
    st.bindNoCopy(kRespHeaders, text.resp_headers);
  } else {
    st.bind(kStatus);
    st.bind(kStatusText);
    st.bind(kRespHeaders);
  }
  st.bindNoCopy(kReqHeaders, text.req_headers);
  bind_text_or_null(st, kReqContentType, text.req_content_type);
  bind_text_or_null(st, kRespContentType, text.resp_content_type);
  bind_optional(st, kReqBodySize, rq.body.decoded_size());
  bind_optional(st, kRespBodySize, rs ? rs->body.decoded_size() : std::nullopt);
  bind_optional(st, kReqWireSize, rq.body.wire_size);
  bind_optional(st, kRespWireSize, rs ? rs->body.wire_size : std::nullopt);
  bind_optional(st, kReqBodyId, bodies.request);
  bind_optional(st, kRespBodyId, bodies.response);
  bind_text_or_null(st, kClientAddr, e.client_addr);
  bind_text_or_null(st, kServerAddr, e.server_addr);
  bind_text_or_null(st, kError, e.error);
  bind_text_or_null(st, kSourceKey, e.source_key);
  st.bind(kTunnel, e.tunnel ? 1 : 0);
  bind_text_or_null(st, kDetails, e.details);
  st.bindNoCopy(kPathTemplate, text.path_template);
}

ExchangeRowRead read_exchange_row(SQLite::Statement& row, int first, Exchange& ex) {
  const auto col = [&](Column c) { return row.getColumn(first + c - 1); };
  ExchangeRowRead out;
  out.session_id = col(kSessionId).getInt64();
  ex.timings.started = opt_int(col(kStartedAt));
  ex.timings.request_sent = opt_int(col(kRequestSentAt));
  ex.timings.response_started = opt_int(col(kResponseStartedAt));
  ex.timings.ended = opt_int(col(kEndedAt));
  if (!col(kDurationMs).isNull()) out.duration_ms = col(kDurationMs).getDouble();
  Request& rq = ex.request;
  rq.method = col(kMethod).getString();
  rq.scheme = text_or_empty(col(kScheme));
  rq.host = text_or_empty(col(kHost));
  if (!col(kPort).isNull()) rq.port = col(kPort).getInt();
  rq.path = text_or_empty(col(kPath));
  if (!col(kQuery).isNull()) rq.query = col(kQuery).getString();
  rq.url = col(kUrl).getString();
  rq.http_version = text_or_empty(col(kHttpVersion));
  rq.headers = headers_from_json(text_or_empty(col(kReqHeaders)));
  rq.body.size = opt_int(col(kReqBodySize));
  rq.body.wire_size = opt_int(col(kReqWireSize));
  out.bodies.request = opt_int(col(kReqBodyId));
  rq.body.captured = out.bodies.request || (rq.body.size && *rq.body.size == 0);
  if (!col(kStatus).isNull()) {
    Response rs;
    rs.status = col(kStatus).getInt();
    rs.status_text = text_or_empty(col(kStatusText));
    rs.http_version = rq.http_version;
    rs.headers = headers_from_json(text_or_empty(col(kRespHeaders)));
    rs.body.size = opt_int(col(kRespBodySize));
    rs.body.wire_size = opt_int(col(kRespWireSize));
    out.bodies.response = opt_int(col(kRespBodyId));
    rs.body.captured = out.bodies.response || (rs.body.size && *rs.body.size == 0);
    ex.response = std::move(rs);
  }
  ex.client_addr = text_or_empty(col(kClientAddr));
  ex.server_addr = text_or_empty(col(kServerAddr));
  ex.error = text_or_empty(col(kError));
  ex.source_key = text_or_empty(col(kSourceKey));
  ex.tunnel = col(kTunnel).getInt() != 0;
  ex.details = text_or_empty(col(kDetails));
  return out;
}

}  // namespace trafficdb
