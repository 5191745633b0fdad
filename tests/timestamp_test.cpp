#include <catch2/catch.hpp>

#include "common/timestamp.h"

using namespace trafficdb;

TEST_CASE("ISO-8601 times parse to epoch microseconds", "[timestamp]") {
  CHECK(parse_iso8601("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_iso8601("2026-01-15T10:00:00.000Z") == 1768471200000000);
  CHECK(parse_iso8601("2026-01-15T11:00:00.000+01:00") == 1768471200000000);
  CHECK(parse_iso8601("2026-01-15T05:30:00-0430") == 1768471200000000);
  CHECK(parse_iso8601("2026-01-15 10:00:00.123456789Z") == 1768471200123456);
  CHECK(parse_iso8601("2026-01-15T10:00Z") == 1768471200000000);
  CHECK(parse_iso8601("2026-01-15T10:00:00.5") == 1768471200500000);  // no zone: UTC
  CHECK(parse_iso8601("1969-12-31T23:59:59.999999Z") == -1);
  CHECK(parse_iso8601("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("Malformed ISO-8601 times are refused", "[timestamp]") {
  for (const char* bad : {"", "2026", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-01-15T25:00:00Z",
                          "2026-01-15T10:00:00.Z", "2026-01-15T10:00:00Zjunk", "yesterday", "2026-01-15"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso8601(bad).has_value());
  }
}

TEST_CASE("Formatting round-trips through parsing", "[timestamp]") {
  for (const Micros t : {Micros{0}, Micros{1768471200123456}, Micros{-1}, Micros{951782400000000}}) {
    const std::string text = format_iso8601(t);
    INFO(text);
    CHECK(parse_iso8601(text) == t);
  }
  CHECK(format_iso8601(1768471200123456) == "2026-01-15T10:00:00.123456Z");
  CHECK(format_human_time(1768471200123456) == "2026-01-15 10:00:00.123");
}
