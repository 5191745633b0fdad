// Grouped statistics over any filter: per group, the count, errors (no
// response / an error, or a 5xx status) and their rate, 4xx count, response
// bytes, and latency p50 / p95 / max. Paths are grouped by their template
// (model/path_template.h, stored in exchanges.path_template), so /users/1
// and /users/2 group together as /users/{id}; by endpoint, the method and
// the template: "GET /users/{id}/orders/{uuid}". Every grouping reads the
// columns exchanges_session_id holds, so a whole store is one index scan.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "query/exchange_filter.h"

namespace trafficdb {

enum class StatsGroup { host, path, status, method, content_type, host_path, endpoint };

// "host", "path", "status", "method", "content_type", "host_path", "endpoint".
Result<StatsGroup> parse_stats_group(std::string_view name);

struct StatsRow {
  std::string key;
  std::int64_t count = 0;
  std::int64_t errors = 0;         // error set, or status >= 500
  std::int64_t client_errors = 0;  // status 400-499
  double error_rate = 0;           // errors / count
  std::int64_t response_bytes = 0;
  std::optional<double> p50_ms, p95_ms, max_ms;
};

// What bounds one statistics scan: the groups kept (past max_groups, rows
// of new keys are counted under kOtherGroups) and the time it may take
// (past time_limit the scan stops and the result says it is partial).
struct StatsBounds {
  std::size_t max_groups = 10000;
  std::optional<std::chrono::milliseconds> time_limit;
};

inline constexpr std::string_view kOtherGroups = "(other groups)";

struct StatsResult {
  std::vector<StatsRow> rows;  // by count, descending
  std::int64_t total = 0;      // exchanges counted
  std::size_t groups = 0;      // groups before the limit
  bool groups_capped = false;  // max_groups reached: kOtherGroups holds the rest
  bool partial = false;        // time_limit reached: only `total` of the matching rows were counted
  std::optional<std::chrono::milliseconds> time_limit;
};

// Needs a connection with the SQL functions (open_query_database).
// `progress` is called with rows scanned every 50k rows; `cancel`, when set
// and true, stops the scan with an error.
Result<StatsResult> traffic_stats(SQLite::Database& db, const ExchangeFilter& filter, StatsGroup group,
                                  std::size_t limit, const std::function<void(std::int64_t)>& progress = {},
                                  const std::atomic<bool>* cancel = nullptr, const StatsBounds& bounds = {});

nlohmann::json stats_to_json(const StatsResult& result, StatsGroup group);

}  // namespace trafficdb
