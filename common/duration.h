// Durations as people write them (CLI options, MCP arguments): "500ms", "2s", "1.5s", "10m", "1h", "2d";
// a bare number is seconds.
#pragma once

#include <chrono>
#include <string_view>

#include "common/status.h"

namespace trafficdb {

Result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace trafficdb
