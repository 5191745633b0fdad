#include "mcp/resources.h"

#include <charconv>

#include "mcp/json_rpc.h"
#include "mcp/tool.h"
#include "query/exchange_detail.h"
#include "query/exchange_page.h"
#include "query/session_list.h"

namespace trafficdb::mcp {
namespace {

constexpr std::string_view kSessions = "trafficdb://sessions/";
constexpr std::string_view kExchanges = "trafficdb://exchanges/";

std::optional<std::int64_t> id_after(std::string_view uri, std::string_view prefix) {
  if (uri.substr(0, prefix.size()) != prefix) return std::nullopt;
  const std::string_view digits = uri.substr(prefix.size());
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}

json text_contents(const std::string& uri, const json& value) {
  return {{"contents", json::array({{{"uri", uri}, {"mimeType", "application/json"}, {"text", wire(value)}}})}};
}

}  // namespace

json resource_templates() {
  return {{"resourceTemplates",
           json::array({{{"uriTemplate", "trafficdb://sessions/{id}"},
                         {"name", "session"},
                         {"title", "A recording session"},
                         {"description", "A session and the summaries of its first 50 exchanges"},
                         {"mimeType", "application/json"}},
                        {{"uriTemplate", "trafficdb://exchanges/{id}"},
                         {"name", "exchange"},
                         {"title", "One exchange"},
                         {"description", "Headers, bodies (cut at 16 KiB), timings, WebSocket messages; redacted"},
                         {"mimeType", "application/json"}}})}};
}

json list_resources(McpContext& context) {
  auto db = context.read_db();
  auto sessions = trafficdb::list_sessions(*db, 50);
  if (!sessions.is_ok()) throw ToolError(sessions.status().message());
  json items = json::array();
  for (const SessionInfo& s : *sessions)
    items.push_back({{"uri", std::string(kSessions) + std::to_string(s.id)},
                     {"name", "session-" + std::to_string(s.id)},
                     {"title", s.name},
                     {"description", s.source + ", " + s.status + ", " + std::to_string(s.exchange_count) +
                                         " exchanges"},
                     {"mimeType", "application/json"}});
  return {{"resources", items}};
}

json read_resource(McpContext& context, const std::string& uri) {
  auto db = context.read_db();
  if (const auto id = id_after(uri, kSessions)) {
    auto sessions = trafficdb::list_sessions(*db, 1, *id + 1);
    if (!sessions.is_ok()) throw ToolError(sessions.status().message());
    if (sessions->empty() || sessions->front().id != *id) throw ToolError("no session " + std::to_string(*id));
    PageRequest request;
    request.filter.session_ids = {*id};
    request.after_id = 0;
    auto page = find_exchanges(*db, request);
    if (!page.is_ok()) throw ToolError(page.status().message());
    json items = json::array();
    for (const ExchangeSummary& s : page->items) items.push_back(summary_to_json(s, true));
    return text_contents(uri, {{"session", session_to_json(sessions->front())},
                               {"exchanges", items},
                               {"more_exchanges", page->has_more}});
  }
  if (const auto id = id_after(uri, kExchanges)) {
    auto detail = exchange_detail_json(*db, *id, DetailOptions{});
    if (!detail.is_ok()) throw ToolError(detail.status().message());
    if (!*detail) throw ToolError("no exchange " + std::to_string(*id));
    return text_contents(uri, **detail);
  }
  throw ToolError("unknown resource '" + uri + "': use trafficdb://sessions/{id} or trafficdb://exchanges/{id}");
}

}  // namespace trafficdb::mcp
