#include "common/timestamp.h"

#include <chrono>
#include <cstdio>

namespace trafficdb {
namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 for a proleptic
// Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly `count` digits at `pos`.
bool read_digits(std::string_view s, size_t& pos, int count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (int i = 0; i < count; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

std::optional<Micros> parse_iso8601(std::string_view s) {
  size_t pos = 0;
  int year, month, day, hour, minute, second = 0;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day))
    return std::nullopt;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':') || !read_digits(s, pos, 2, minute))
    return std::nullopt;
  if (expect(s, pos, ':') && !read_digits(s, pos, 2, second)) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > static_cast<int>(days_in_month(year, month)) ||
      hour > 23 || minute > 59 || second > 60)
    return std::nullopt;

  std::int64_t fraction_micros = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) fraction_micros = fraction_micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) fraction_micros *= 10;
  }

  std::int64_t offset_seconds = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '-' ? -1 : 1;
      ++pos;
      int oh, om = 0;
      if (!read_digits(s, pos, 2, oh)) return std::nullopt;
      if (expect(s, pos, ':')) {
        if (!read_digits(s, pos, 2, om)) return std::nullopt;
      } else if (pos < s.size()) {
        if (!read_digits(s, pos, 2, om)) return std::nullopt;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_seconds = sign * (oh * 3600 + om * 60);
    }
  }
  if (pos != s.size()) return std::nullopt;

  const std::int64_t days = days_from_civil(year, month, day);
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * 1'000'000 + fraction_micros;
}

namespace {
void split(Micros micros, std::int64_t& y, unsigned& mo, unsigned& d, int& h, int& mi, int& s,
           int& us) {
  std::int64_t secs = micros / 1'000'000;
  std::int64_t frac = micros % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  civil_from_days(days, y, mo, d);
  h = static_cast<int>(rem / 3600);
  mi = static_cast<int>(rem % 3600 / 60);
  s = static_cast<int>(rem % 60);
  us = static_cast<int>(frac);
}
}  // namespace

std::string format_iso8601(Micros micros) {
  std::int64_t y;
  unsigned mo, d;
  int h, mi, s, us;
  split(micros, y, mo, d, h, mi, s, us);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%06dZ", static_cast<long long>(y),
                mo, d, h, mi, s, us);
  return buf;
}

std::string format_human_time(Micros micros) {
  std::int64_t y;
  unsigned mo, d;
  int h, mi, s, us;
  split(micros, y, mo, d, h, mi, s, us);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02d:%02d:%02d.%03d", static_cast<long long>(y),
                mo, d, h, mi, s, us / 1000);
  return buf;
}

Micros now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace trafficdb
