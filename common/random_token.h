// Unguessable tokens (session ids, access tokens) from the kernel's
// random source (getrandom(2)).
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"

namespace trafficdb {

// `bytes` random bytes as 2 * `bytes` lower-case hex digits; an error when
// the kernel gives no randomness.
Result<std::string> random_hex_token(std::size_t bytes = 16);

}  // namespace trafficdb
