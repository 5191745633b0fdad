// The web UI's JSON API (docs/ui.md): each call a thin mapping onto query/
// (or ingest/ for deleting a session), answering with a status, a media
// type and a body; nothing here knows HTTP's wire (web/ui_server.cpp does).
//
// Every call opens its own connection to the store and closes it before it
// returns, so no read transaction outlives a call and recorders write
// meanwhile. Every answer is bounded (page sizes, body bytes, scan times).
// Bodies and header values are captured traffic: they go out as JSON
// strings (broken UTF-8 replaced) or base64, never as markup.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "query/exchange_page.h"
#include "web/filter_params.h"

namespace trafficdb::web {

struct ApiReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string download_name;  // set: the body is a file to save under this name
};

class UiApi {
 public:
  // `db_path`: the store; it must exist.
  explicit UiApi(std::string db_path);

  // GET /api/sessions: {sessions:[session_to_json], database_bytes}; with
  // sizes=true each session has `bytes` too (its bodies, decoded), which
  // reads every exchange row: a second or more at a million.
  ApiReply sessions(const Params& params) const;
  // GET /api/exchanges: a page of summaries. Params: the filters, order
  // (newest|oldest), cursor (the previous page's next_cursor), limit (1-500).
  // {items, next_cursor?, has_more, order, latest_id}.
  ApiReply exchanges(const Params& params) const;
  // GET /api/exchanges/ID: the detail (exchange_detail_json, bodies up to
  // 1 MiB each from body_offset). Params: redact (true|false), body_offset.
  ApiReply exchange(std::int64_t id, const Params& params) const;
  // GET /api/exchanges/ID/curl: {command}. Params: redact.
  ApiReply curl(std::int64_t id, const Params& params) const;
  // GET /api/exchanges/ID/har: a HAR file of the one exchange. Params: redact.
  ApiReply har(std::int64_t id, const Params& params) const;
  // GET /api/export.har: a HAR file of the filtered exchanges (at most
  // 10000). Params: the filters, redact.
  ApiReply export_har(const Params& params) const;
  // GET /api/diff?a=ID&b=ID: {diff (diff_exchanges), text}.
  ApiReply diff(const Params& params) const;
  // GET /api/stats: {by_endpoint (traffic_stats, group_by from `group`,
  // default endpoint), by_status, timeline}. Params: the filters, group, limit.
  ApiReply stats(const Params& params) const;
  // GET /api/waterfall: waterfall_to_json. Params: the filters, limit (1-5000).
  ApiReply waterfall(const Params& params) const;
  // DELETE /api/sessions/ID: removes a session and its exchanges (409 while
  // a process records into it).
  ApiReply delete_session(std::int64_t id) const;

  // The live tail's poll: exchanges after `after_id` matching `filter`,
  // oldest first, at most `limit`.
  Result<ExchangePage> rows_after(const ExchangeFilter& filter, std::int64_t after_id, std::size_t limit) const;
  // The newest exchange id now (0 for an empty store).
  Result<std::int64_t> latest_id() const;

  static ApiReply error(int status, const std::string& message);

 private:
  std::string db_path_;
};

// JSON text safe for any captured bytes: invalid UTF-8 replaced by U+FFFD.
std::string dump_json(const nlohmann::json& value);

}  // namespace trafficdb::web
