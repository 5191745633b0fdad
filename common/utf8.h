// UTF-8 checks, for deciding what is text and for writing JSON.
#pragma once

#include <cstddef>
#include <string_view>

namespace trafficdb {

// Length of the valid UTF-8 sequence starting at s[0] (1-4), or 0 when the
// bytes there are not valid UTF-8 (overlongs and surrogates rejected).
std::size_t utf8_sequence_length(std::string_view s);

bool is_valid_utf8(std::string_view s);

// Valid UTF-8 with no NUL and no C0 control characters other than tab, line
// feed, carriage return, form feed and escape: what a person would call text.
bool looks_like_text(std::string_view s);

}  // namespace trafficdb
