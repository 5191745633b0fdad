// The key bodies are stored under: SHA-256 of the decoded bytes.
#pragma once

#include <array>
#include <string_view>

namespace trafficdb {

using ContentHash = std::array<unsigned char, 32>;

ContentHash content_hash(std::string_view bytes);

}  // namespace trafficdb
