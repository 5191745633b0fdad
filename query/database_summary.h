// The database as a whole, as `trafficdb sessions`, `trafficdb retention`
// and MCP list_sessions show it: its size, its retention policy and what
// pruning has removed (store/retention_policy.h).
#pragma once

#include <nlohmann/json.hpp>

#include "store/retention_policy.h"

namespace trafficdb {

// {"size_bytes" (used), "file_bytes", "free_bytes", "incremental_vacuum",
//  "retention": {"max_age_s", "max_age" (text), "max_size_bytes"} with nulls
//  for no limit, "pruned": {"exchanges", "bodies", "websocket_messages",
//  "body_bytes", "bytes_given_back", "last_pruned_at", "last_longest_step_ms"}}.
nlohmann::json database_summary_json(const RetentionState& state);

// "7d", "36h", "90m", "45s": the largest whole unit.
std::string format_max_age(std::int64_t micros);

// One line for people: "database 12.3 MB (1.20 MB free); retention: max age 7d,
// max size 2.00 GB; pruned 1200 exchanges, 300 bodies (5.10 MB), last 2026-...".
std::string database_summary_line(const RetentionState& state);

}  // namespace trafficdb
