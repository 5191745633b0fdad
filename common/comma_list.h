// Comma-separated lists as people type them in options and arguments
// ("GET, POST", "Server,Via", "200,4xx"): items split on ',' with spaces and
// tabs around each trimmed. Nothing else is special (no quoting).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trafficdb {

enum class EmptyItems { drop, keep };

// "a, b,,c " -> {"a", "b", "c"}; with EmptyItems::keep -> {"a", "b", "", "c"}
// (for callers that refuse an empty item). "" -> {} or {""}.
std::vector<std::string> split_comma_list(std::string_view text, EmptyItems empty = EmptyItems::drop);

}  // namespace trafficdb
