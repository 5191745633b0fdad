#include "common/byte_size.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/ascii.h"

namespace trafficdb {

Result<std::uint64_t> parse_byte_size(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const double value = std::strtod(s.c_str(), &end);
  if (s.empty() || end == s.c_str() || !std::isfinite(value) || value < 0)
    return Status::invalid_input("'" + s + "' is not a size (examples: 500MB, 2GB, 1.5GiB)");
  std::string_view rest(end);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const std::string unit = ascii_lower(rest);
  double factor;
  if (unit.empty() || unit == "b") factor = 1;
  else if (unit == "kb" || unit == "k") factor = 1e3;
  else if (unit == "mb" || unit == "m") factor = 1e6;
  else if (unit == "gb" || unit == "g") factor = 1e9;
  else if (unit == "tb" || unit == "t") factor = 1e12;
  else if (unit == "kib") factor = 1024.0;
  else if (unit == "mib") factor = 1024.0 * 1024;
  else if (unit == "gib") factor = 1024.0 * 1024 * 1024;
  else if (unit == "tib") factor = 1024.0 * 1024 * 1024 * 1024;
  else return Status::invalid_input("'" + s + "' has an unknown unit (use B, KB, MB, GB, TB or KiB, MiB, GiB, TiB)");
  const double bytes = value * factor;
  if (bytes > 1e15) return Status::invalid_input("'" + s + "' is too large a size (at most 1 PB)");
  return static_cast<std::uint64_t>(std::llround(bytes));
}

std::string format_byte_size(std::uint64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " B";
  static const char* const kUnits[] = {"kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1000 && unit < 4) {
    value /= 1000;
    ++unit;
  }
  char out[32];
  std::snprintf(out, sizeof out, value < 10 ? "%.2f %s" : value < 100 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
  return out;
}

}  // namespace trafficdb
