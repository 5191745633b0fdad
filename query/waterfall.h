// A waterfall: the exchanges matching a filter in start-time order, each
// with its four times (start, request sent, response started, end) and the
// connection it used, for drawing bars on a time axis grouped by connection.
// At most `limit` rows (the earliest); `truncated` says when more matched.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/timestamp.h"
#include "query/exchange_filter.h"

namespace trafficdb {

struct WaterfallRow {
  std::int64_t id = 0;
  Micros started_at = 0;
  std::optional<Micros> request_sent_at, response_started_at, ended_at;
  std::string method, host, path;
  std::optional<int> status;
  bool failed = false;
  // "client -> server" addresses when the source saw them, else
  // "host:port" (sources such as HAR know no connection).
  std::string connection;
};

struct Waterfall {
  std::vector<WaterfallRow> rows;
  bool truncated = false;
};

// Rows without a start time are left out. Errors: a filter no query can
// use, a failing statement, the time limit.
Result<Waterfall> waterfall(SQLite::Database& db, const ExchangeFilter& filter, std::size_t limit,
                            std::chrono::milliseconds time_limit);

// {truncated, rows:[{id, start_us, sent_us?, first_byte_us?, end_us?, method, host, path, status?, failed, connection}]}
// with times in microseconds since the epoch (numbers: JSON's doubles hold them exactly).
nlohmann::json waterfall_to_json(const Waterfall& waterfall);

}  // namespace trafficdb
