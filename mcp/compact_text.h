// The text content of tool results: a compact rendering of the structured
// result for a model to read, not a second copy of its JSON (docs/mcp.md,
// "Text content"). Pages are one line per exchange under a header line;
// one exchange is its request and status lines with headers as `Name:
// value` lines and its bodies as they are; the rest are short `name: value`
// lines or rows. Captured content (URLs, header values, bodies, WebSocket
// messages, stats keys, SQL values) is always inside `fence`, never outside.
//
// Each function takes the structuredContent its tool returns (the shape its
// output schema declares) and only reads it; the returned text ends with a
// newline.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mcp/content_fence.h"

namespace trafficdb::mcp {

// peek_exchanges, read_exchanges, filter_exchanges (summary_rows.h).
std::string page_text(const nlohmann::json& page, const ContentFence& fence);

// get_exchange (query/exchange_detail.h's JSON).
std::string exchange_text(const nlohmann::json& detail, const ContentFence& fence);

std::string sessions_text(const nlohmann::json& sessions, const ContentFence& fence);
std::string stats_text(const nlohmann::json& stats, const ContentFence& fence);
std::string sql_text(const nlohmann::json& result, const ContentFence& fence);

// A small result (import, export, save, capture control): one `name: value`
// line per member, arrays and objects as compact JSON. Nothing fenced: for
// results that hold no captured content.
std::string fields_text(const nlohmann::json& result, const ContentFence& fence);

// save_body: what was written where; the content type is fenced.
std::string saved_body_text(const nlohmann::json& saved, const ContentFence& fence);

// Helpers shared by the renderings.
// `text` on one line: control characters escaped (\n, \t, \xNN), cut at
// `max` bytes (on a character boundary) with "…" when longer.
std::string one_line(std::string_view text, std::size_t max = 400);
// object[name], or null when `object` is no object or lacks it.
const nlohmann::json& member(const nlohmann::json& object, const char* name);
// A JSON scalar as text: strings as they are, null as "-", numbers as JSON.
std::string scalar_text(const nlohmann::json& value);

}  // namespace trafficdb::mcp
