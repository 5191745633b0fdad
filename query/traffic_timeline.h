// Requests and errors over time: the exchanges matching a filter counted in
// equal time buckets (at most max_buckets of them, a round width from one
// second up) between the first and the last start time, for charts.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/timestamp.h"
#include "query/exchange_filter.h"

namespace trafficdb {

struct TimelineBucket {
  Micros start = 0;            // the bucket is [start, start + width)
  std::int64_t count = 0;
  std::int64_t errors = 0;     // error set, or status >= 500
  std::int64_t client_errors = 0;  // 400-499
};

struct Timeline {
  Micros width = 0;  // microseconds per bucket; 0 when nothing matched
  std::vector<TimelineBucket> buckets;  // in time order, empty buckets included
  bool partial = false;  // the time limit stopped the scan: counts are a part
};

// Needs a connection with the SQL functions (open_query_database). Errors:
// a filter no query can use, a failing statement.
Result<Timeline> traffic_timeline(SQLite::Database& db, const ExchangeFilter& filter, std::size_t max_buckets,
                                  std::chrono::milliseconds time_limit);

// {width_ms, partial, buckets:[{start (ISO-8601), count, errors, client_errors}]}
nlohmann::json timeline_to_json(const Timeline& timeline);

}  // namespace trafficdb
