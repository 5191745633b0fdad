// Timestamps: trafficdb stores every point in time as an integer count of
// microseconds since the Unix epoch (UTC), and shows them as ISO-8601.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trafficdb {

using Micros = std::int64_t;

// Parses an ISO-8601 / RFC 3339 date-time such as "2026-01-15T10:00:00.123Z"
// or "2026-01-15T11:00:00.123456+01:00" (any number of fraction digits; a
// space may stand for 'T'; no zone means UTC). Returns nullopt when the text
// is not such a date-time or names an impossible date.
std::optional<Micros> parse_iso8601(std::string_view text);

// Formats as "2026-01-15T10:00:00.123456Z" (always UTC, microseconds).
std::string format_iso8601(Micros micros);

// Milliseconds precision, for human tables: "2026-01-15 10:00:00.123".
std::string format_human_time(Micros micros);

// Wall-clock now.
Micros now_micros();

}  // namespace trafficdb
