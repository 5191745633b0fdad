// The diff of two exchanges (query/exchange_diff.h) as plain text, in the
// manner of `git diff`: a header line, then one section per part that
// differs ("request line", "status", "request headers", "response body",
// ...), '-' for the first exchange's side and '+' for the second's. Parts
// that are the same are left out; an identical pair says so in one line.
// What the JSON bounds (values, hunks, JSON paths) is bounded here too.
// Shared by `trafficdb diff` and MCP diff_exchanges' text content.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace trafficdb {

// `diff` as diff_exchanges returns it.
std::string render_exchange_diff(const nlohmann::json& diff);

}  // namespace trafficdb
