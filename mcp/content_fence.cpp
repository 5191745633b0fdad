#include "mcp/content_fence.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace trafficdb::mcp {
namespace {

constexpr std::size_t kRandomBytes = 8;

void os_random(unsigned char* out, std::size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) throw std::runtime_error("no random bytes from OpenSSL");
}

}  // namespace

ContentFence ContentFence::for_content(std::string_view content, const RandomBytes& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Each draw collides with probability about content.size() / 2^64: a few
  // draws are plenty; a source that keeps colliding is broken.
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::array<unsigned char, kRandomBytes> bytes{};
    if (random) random(bytes.data(), bytes.size());
    else os_random(bytes.data(), bytes.size());
    std::string boundary = "captured-";
    for (unsigned char b : bytes) {
      boundary += kHex[b >> 4];
      boundary += kHex[b & 0xF];
    }
    if (content.find(boundary) == std::string_view::npos) return ContentFence(std::move(boundary));
  }
  throw std::runtime_error("no fence boundary that the content does not contain");
}

std::string ContentFence::wrap(std::string_view captured) const {
  std::string out;
  out.reserve(captured.size() + 2 * boundary_.size() + 8);
  out += "<<<";
  out += boundary_;
  out += '\n';
  out += captured;
  if (!captured.empty() && captured.back() != '\n') out += '\n';
  out += boundary_;
  out += ">>>\n";
  return out;
}

}  // namespace trafficdb::mcp
