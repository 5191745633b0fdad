#include "common/duration.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace trafficdb {

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const double value = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(value) || value < 0)
    return Status::error("'" + s + "' is not a duration (examples: 500ms, 2s, 10m, 1h)");
  const std::string unit(end);
  double ms;
  if (unit.empty() || unit == "s") ms = value * 1000;
  else if (unit == "ms") ms = value;
  else if (unit == "m" || unit == "min") ms = value * 60'000;
  else if (unit == "h") ms = value * 3'600'000;
  else if (unit == "d") ms = value * 86'400'000;
  else return Status::error("'" + s + "' has an unknown unit '" + unit + "' (use ms, s, m, h or d)");
  if (ms > 1e13) return Status::error("'" + s + "' is too long a duration");
  return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

}  // namespace trafficdb
