#include "common/random_token.h"

#include <sys/random.h>

#include <cerrno>
#include <vector>

namespace trafficdb {

Result<std::string> random_hex_token(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  std::size_t filled = 0;
  while (filled < bytes) {
    const ssize_t got = getrandom(buffer.data() + filled, bytes - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return Status::error("no randomness from the kernel (getrandom failed)");
    filled += static_cast<std::size_t>(got);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  token.reserve(bytes * 2);
  for (unsigned char b : buffer) token += {kHex[b >> 4], kHex[b & 15]};
  return token;
}

}  // namespace trafficdb
