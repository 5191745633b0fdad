// SessionDiff: "it works here and fails there" — two sessions compared by
// endpoint (method + path template, model/path_template.h): the endpoints
// only one of them called, and for those both called, the status mix and
// p50/p95 latency side by side, most different first; and the first
// exchange where the two sequences of calls diverge (another endpoint, or
// another status class).
//
// Bounded: at most max_exchanges exchanges of each session are read (the
// first ones, by id; `truncated` says so), and at most `max_endpoints`
// endpoints are listed per section (counts of the rest are given).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "common/status.h"

namespace trafficdb {

inline constexpr std::size_t kMaxExchangesPerSession = 200000;

struct SessionDiffOptions {
  std::size_t max_endpoints = 50;
  std::size_t max_exchanges = kMaxExchangesPerSession;
};

// The comparison as JSON: {a, b: {session_id, exchanges, endpoints, truncated},
// only_in_a, only_in_b: [{endpoint, count}], more_only_in_a?, more_only_in_b?,
// both: [{endpoint, a: side, b: side}], more_both?, first_divergence: {index,
// a?: {id, endpoint, status}, b?: ...} | null}, where side is {count,
// status: {"2xx": n, ..., "none": n}, error_rate, p50_ms, p95_ms}.
// not_found when a session does not exist.
Result<nlohmann::json> diff_sessions(SQLite::Database& db, std::int64_t a, std::int64_t b,
                                     const SessionDiffOptions& options = {});

// A plain text rendering of diff_sessions' result, for people and models.
std::string session_diff_text(const nlohmann::json& diff);

}  // namespace trafficdb
