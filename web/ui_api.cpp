#include "web/ui_api.h"

#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <sstream>

#include "ingest/session_removal.h"
#include "query/curl_command.h"
#include "query/exchange_detail.h"
#include "query/exchange_diff.h"
#include "query/exchange_diff_text.h"
#include "query/exchange_loader.h"
#include "query/har_export.h"
#include "query/query_database.h"
#include "query/session_list.h"
#include "query/traffic_stats.h"
#include "query/traffic_timeline.h"
#include "query/waterfall.h"

namespace trafficdb::web {
namespace {

using json = nlohmann::json;

constexpr std::chrono::milliseconds kPageTimeLimit{5000};
constexpr std::chrono::milliseconds kStatsTimeLimit{10000};
constexpr std::size_t kMaxBodyBytes = 1 << 20;
constexpr std::size_t kMaxExportEntries = 10000;

std::optional<std::string> param(const Params& params, const std::string& name) {
  const auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

Result<std::int64_t> int_param(const Params& params, const std::string& name, std::int64_t fallback,
                               std::int64_t low, std::int64_t high) {
  const auto text = param(params, name);
  if (!text || text->empty()) return fallback;
  try {
    std::size_t used = 0;
    const long long value = std::stoll(*text, &used);
    if (used == text->size() && value >= low && value <= high) return static_cast<std::int64_t>(value);
  } catch (const std::exception&) {
  }
  return Status::invalid_input("parameter '" + name + "': give a whole number from " + std::to_string(low) +
                               " to " + std::to_string(high) + ", not '" + *text + "'");
}

Result<bool> redact_param(const Params& params) {
  const auto text = param(params, "redact");
  if (!text || text->empty() || *text == "true") return true;
  if (*text == "false") return false;
  return Status::invalid_input("parameter 'redact': give true or false, not '" + *text + "'");
}

ApiReply json_reply(const json& value) { return {200, "application/json", dump_json(value), ""}; }

int http_status_of(const Status& status) {
  if (status.is(Status::Code::not_found)) return 404;
  if (status.is(Status::Code::invalid_input)) return 400;
  if (status.is(Status::Code::busy)) return 409;
  return 500;
}

ApiReply error_of(const Status& status) { return UiApi::error(http_status_of(status), status.message()); }

// Runs `body` with a fresh connection; errors and SQLite's exceptions become replies.
template <typename Body>
ApiReply with_db(const std::string& path, OpenMode mode, Body&& body) {
  auto db = open_query_database(path, mode);
  if (!db.is_ok()) return error_of(db.status());
  try {
    return body(**db);
  } catch (const std::exception& e) {
    return UiApi::error(500, e.what());
  }
}

// The bytes each session's exchanges' bodies take (decoded), by session.
std::map<std::int64_t, std::int64_t> session_bytes(SQLite::Database& db) {
  std::map<std::int64_t, std::int64_t> bytes;
  SQLite::Statement st(db,
                       "SELECT session_id, sum(coalesce(req_body_size, 0) + coalesce(resp_body_size, 0)) "
                       "FROM exchanges GROUP BY session_id");
  while (st.executeStep()) bytes[st.getColumn(0).getInt64()] = st.getColumn(1).getInt64();
  return bytes;
}

std::int64_t newest_id(SQLite::Database& db) {
  SQLite::Statement st(db, "SELECT coalesce(max(id), 0) FROM exchanges");
  st.executeStep();
  return st.getColumn(0).getInt64();
}

const std::vector<std::string> kPageParams = {"order", "cursor", "limit"};

}  // namespace

std::string dump_json(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

UiApi::UiApi(std::string db_path) : db_path_(std::move(db_path)) {}

ApiReply UiApi::error(int status, const std::string& message) {
  return {status, "application/json", dump_json({{"error", message}}), ""};
}

ApiReply UiApi::sessions(const Params& params) const {
  const std::string sizes = param(params, "sizes").value_or("false");
  if (sizes != "true" && sizes != "false") return error(400, "parameter 'sizes': give true or false, not '" + sizes + "'");
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    auto sessions = list_sessions(db);
    if (!sessions.is_ok()) return error_of(sessions.status());
    const auto bytes = sizes == "true" ? session_bytes(db) : std::map<std::int64_t, std::int64_t>();
    json out = json::array();
    for (const SessionInfo& s : *sessions) {
      json row = session_to_json(s);
      if (sizes == "true") {
        const auto it = bytes.find(s.id);
        row["bytes"] = it == bytes.end() ? 0 : it->second;
      }
      out.push_back(std::move(row));
    }
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(db_path_, ec);
    return json_reply({{"sessions", std::move(out)}, {"database_bytes", ec ? 0 : file_size}});
  });
}

ApiReply UiApi::exchanges(const Params& params) const {
  auto filter = filter_from_params(params, kPageParams);
  if (!filter.is_ok()) return error_of(filter.status());
  const std::string order = param(params, "order").value_or("newest");
  if (order != "newest" && order != "oldest")
    return error(400, "parameter 'order': give newest or oldest, not '" + order + "'");
  auto limit = int_param(params, "limit", 100, 1, 500);
  if (!limit.is_ok()) return error_of(limit.status());
  auto cursor = int_param(params, "cursor", -1, 0, INT64_MAX);
  if (!cursor.is_ok()) return error_of(cursor.status());
  PageRequest request;
  request.filter = std::move(filter).value();
  request.newest_first = order == "newest";
  request.limit = static_cast<std::size_t>(*limit);
  request.time_limit = kPageTimeLimit;
  if (*cursor >= 0) (request.newest_first ? request.before_id : request.after_id) = *cursor;
  else if (!request.newest_first) request.after_id = 0;
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    // Read before the page: a row stored in between is then in the page and
    // after latest_id (the page drops the repeat), never in neither.
    const std::int64_t latest = newest_id(db);
    auto page = find_exchanges(db, request);
    if (!page.is_ok()) return error_of(page.status());
    json items = json::array();
    for (const ExchangeSummary& s : page->items) items.push_back(summary_to_json(s, true));
    json out = {{"items", std::move(items)}, {"has_more", page->has_more}, {"order", order}};
    if (page->next_cursor) out["next_cursor"] = *page->next_cursor;
    out["latest_id"] = latest;
    return json_reply(out);
  });
}

ApiReply UiApi::exchange(std::int64_t id, const Params& params) const {
  auto redact = redact_param(params);
  if (!redact.is_ok()) return error_of(redact.status());
  auto offset = int_param(params, "body_offset", 0, 0, INT64_MAX);
  if (!offset.is_ok()) return error_of(offset.status());
  DetailOptions options;
  options.redact = *redact;
  options.max_body_bytes = kMaxBodyBytes;
  options.body_offset = static_cast<std::size_t>(*offset);
  options.max_websocket_messages = 500;
  options.max_message_bytes = 16 * 1024;
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    auto detail = exchange_detail_json(db, id, options);
    if (!detail.is_ok()) return error_of(detail.status());
    if (!detail->has_value()) return error(404, "no exchange " + std::to_string(id));
    return json_reply(**detail);
  });
}

ApiReply UiApi::curl(std::int64_t id, const Params& params) const {
  auto redact = redact_param(params);
  if (!redact.is_ok()) return error_of(redact.status());
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    auto loaded = load_exchange(db, id, 0);
    if (!loaded.is_ok()) return error_of(loaded.status());
    if (!loaded->has_value()) return error(404, "no exchange " + std::to_string(id));
    return json_reply({{"command", curl_command((*loaded)->exchange, *redact)}});
  });
}

ApiReply UiApi::har(std::int64_t id, const Params& params) const {
  auto redact = redact_param(params);
  if (!redact.is_ok()) return error_of(redact.status());
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    std::ostringstream out;
    HarExportOptions options;
    options.redact = *redact;
    auto written = export_har_exchange(db, id, out, options);
    if (!written.is_ok()) return error_of(written.status());
    return ApiReply{200, "application/json", out.str(), "exchange-" + std::to_string(id) + ".har"};
  });
}

ApiReply UiApi::export_har(const Params& params) const {
  auto filter = filter_from_params(params, {"redact"});
  if (!filter.is_ok()) return error_of(filter.status());
  auto redact = redact_param(params);
  if (!redact.is_ok()) return error_of(redact.status());
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    bool capped = false;
    auto count = count_exchanges(db, *filter, kMaxExportEntries + 1, &capped);
    if (!count.is_ok()) return error_of(count.status());
    if (*count > static_cast<std::int64_t>(kMaxExportEntries))
      return error(413, "more than " + std::to_string(kMaxExportEntries) +
                            " exchanges match: narrow the filter, or use `trafficdb export` for big exports");
    std::ostringstream out;
    HarExportOptions options;
    options.redact = *redact;
    auto written = trafficdb::export_har(db, *filter, out, options);
    if (!written.is_ok()) return error_of(written.status());
    return ApiReply{200, "application/json", out.str(), "trafficdb-export.har"};
  });
}

ApiReply UiApi::diff(const Params& params) const {
  auto a = int_param(params, "a", 0, 1, INT64_MAX);
  if (!a.is_ok()) return error_of(a.status());
  auto b = int_param(params, "b", 0, 1, INT64_MAX);
  if (!b.is_ok()) return error_of(b.status());
  if (*a == 0 || *b == 0) return error(400, "give two exchange ids: a and b");
  auto redact = redact_param(params);
  if (!redact.is_ok()) return error_of(redact.status());
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    DiffOptions options;
    options.redact = *redact;
    auto diff = diff_stored_exchanges(db, *a, *b, options);
    if (!diff.is_ok()) return error_of(diff.status());
    return json_reply({{"diff", *diff}, {"text", render_exchange_diff(*diff)}});
  });
}

ApiReply UiApi::stats(const Params& params) const {
  auto filter = filter_from_params(params, {"group", "limit"});
  if (!filter.is_ok()) return error_of(filter.status());
  auto group = parse_stats_group(param(params, "group").value_or("endpoint"));
  if (!group.is_ok()) return error(400, "parameter 'group': " + group.status().message());
  auto limit = int_param(params, "limit", 30, 1, 500);
  if (!limit.is_ok()) return error_of(limit.status());
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    StatsBounds bounds;
    bounds.time_limit = kStatsTimeLimit;
    auto by_group = traffic_stats(db, *filter, *group, static_cast<std::size_t>(*limit), {}, nullptr, bounds);
    if (!by_group.is_ok()) return error_of(by_group.status());
    auto by_status = traffic_stats(db, *filter, StatsGroup::status, 100, {}, nullptr, bounds);
    if (!by_status.is_ok()) return error_of(by_status.status());
    auto timeline = traffic_timeline(db, *filter, 120, kStatsTimeLimit);
    if (!timeline.is_ok()) return error_of(timeline.status());
    return json_reply({{"by_group", stats_to_json(*by_group, *group)},
                       {"by_status", stats_to_json(*by_status, StatsGroup::status)},
                       {"timeline", timeline_to_json(*timeline)}});
  });
}

ApiReply UiApi::waterfall(const Params& params) const {
  auto filter = filter_from_params(params, {"limit"});
  if (!filter.is_ok()) return error_of(filter.status());
  auto limit = int_param(params, "limit", 1000, 1, 5000);
  if (!limit.is_ok()) return error_of(limit.status());
  return with_db(db_path_, OpenMode::read_only, [&](SQLite::Database& db) {
    auto rows = trafficdb::waterfall(db, *filter, static_cast<std::size_t>(*limit), kStatsTimeLimit);
    if (!rows.is_ok()) return error_of(rows.status());
    return json_reply(waterfall_to_json(*rows));
  });
}

ApiReply UiApi::delete_session(std::int64_t id) const {
  return with_db(db_path_, OpenMode::read_write, [&](SQLite::Database& db) {
    if (Status s = remove_session(db, id); !s.is_ok()) return error_of(s);
    return json_reply({{"session_id", id}, {"deleted", true}});
  });
}

Result<ExchangePage> UiApi::rows_after(const ExchangeFilter& filter, std::int64_t after_id, std::size_t limit) const {
  auto db = open_query_database(db_path_, OpenMode::read_only);
  if (!db.is_ok()) return db.status();
  PageRequest request;
  request.filter = filter;
  request.after_id = after_id;
  request.limit = limit;
  request.time_limit = kPageTimeLimit;
  try {
    return find_exchanges(**db, request);
  } catch (const std::exception& e) {
    return Status::error(e.what());
  }
}

Result<std::int64_t> UiApi::latest_id() const {
  auto db = open_query_database(db_path_, OpenMode::read_only);
  if (!db.is_ok()) return db.status();
  try {
    return newest_id(**db);
  } catch (const std::exception& e) {
    return Status::error(e.what());
  }
}

}  // namespace trafficdb::web
