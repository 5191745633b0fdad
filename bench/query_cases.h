// The queries query_bench times, and how it times them. Each query has a
// fixed shape (a filter, a cursor page, a detail, statistics, body search,
// a count) and draws its parameters (a host, a session, an id, a word ...)
// from a PRNG per run, outside the timer; measure() runs it three times
// untimed, then --runs or --slow-runs times, and reports p50/p99/max
// against its target.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "model/exchange.h"

namespace bench::query_cases {

inline constexpr double kFilterTargetMs = 10;  // every filter and cursor page, p99
inline constexpr double kDetailTargetMs = 5;
inline constexpr double kBodySearchTargetMs = 100;
inline constexpr std::int64_t kCountCap = 100000;  // what `trafficdb query --count` uses

// What the data holds, read once (untimed) to draw parameters from.
struct DataInfo {
  std::int64_t rows = 0, min_id = 0, max_id = 0;
  trafficdb::Micros first_started = 0, last_started = 0;
  std::vector<std::string> hosts;
  std::vector<std::string> domains;  // last two labels of the hosts
  std::vector<std::int64_t> sessions;
  std::vector<std::string> url_ids;  // numeric ids and UUIDs taken from URLs
};

// Reads it; `rng` picks the rows URL ids are taken from. Throws
// std::runtime_error when there are no exchanges.
DataInfo read_data_info(SQLite::Database& db, std::mt19937_64& rng);

// One timed call: what it returned (rows, items, groups or a count).
using Call = std::function<std::int64_t()>;

struct QueryDef {
  std::string name;   // JSON key
  std::string label;  // table
  std::optional<double> target_ms;
  std::function<Call(std::mt19937_64&)> make;  // draws parameters (untimed), returns the call
};

// Every query, on `db`, drawing from `data` (both must outlive them).
// `newest_first`: filter pages newest first.
std::vector<QueryDef> define_queries(SQLite::Database& db, const DataInfo& data, bool newest_first);

struct RunCounts {
  std::uint64_t runs = 200;      // of a fast query
  std::uint64_t slow_runs = 20;  // of a slow one
  double slow_ms = 20;           // warm-up median above this: slow
};

struct QueryResult {
  std::string name, label;
  std::optional<double> target_ms;
  std::size_t runs = 0;
  double p50 = 0, p99 = 0, max = 0, avg_rows = 0;  // ms; p99 nearest rank
  bool pass() const { return !target_ms || p99 < *target_ms; }
};

QueryResult measure(const QueryDef& def, std::uint64_t seed, const RunCounts& counts);

}  // namespace bench::query_cases
