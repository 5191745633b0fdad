// Sizes as people write them (CLI options): "500MB", "2GB", "1.5GiB", "64KiB",
// "1048576" (a bare number is bytes); and sizes shown back to them.
// KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024; case does
// not matter; "B" alone is bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace trafficdb {

// invalid_input naming the text when it is not a size, negative or above 1 PB.
Result<std::uint64_t> parse_byte_size(std::string_view text);

// "0 B", "812 B", "12.3 MB", "2.00 GB": powers of 1000, three significant digits.
std::string format_byte_size(std::uint64_t bytes);

}  // namespace trafficdb
