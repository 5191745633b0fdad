// Standard base64 (RFC 4648 §4), as HAR and Charles use for binary bodies.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace trafficdb {

// Decodes, ignoring ASCII whitespace; padding optional. Fails on any other
// character outside the alphabet, naming its offset.
Result<std::string> base64_decode(std::string_view text);

std::string base64_encode(std::string_view bytes);

}  // namespace trafficdb
