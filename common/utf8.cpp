#include "common/utf8.h"

#include <cstdint>
#include <cstring>

namespace trafficdb {
namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHighBits = 0x8080808080808080ull;

std::uint64_t load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Where the first byte at or after `i` that is not 7-bit ASCII is (or is a
// control character other than tab, LF, CR, FF, ESC when `controls`);
// eight bytes at a time while they are all plain.
std::size_t skip_plain_ascii(std::string_view s, std::size_t i, bool controls) {
  for (; i + 8 <= s.size(); i += 8) {
    const std::uint64_t v = load8(s.data() + i);
    const bool high = (v & kHighBits) != 0;
    const bool below_space = ((v - kOnes * 0x20) & ~v & kHighBits) != 0;  // some byte < 0x20
    if (high || (controls && below_space)) break;
  }
  return i;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Fast path over ASCII.
    i = skip_plain_ascii(s, i, false);
    while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
    if (i == s.size()) break;
    const std::size_t n = utf8_sequence_length(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool looks_like_text(std::string_view s) {
  // One pass: plain ASCII a word at a time, the rest a character at a time.
  std::size_t i = 0;
  while (i < s.size()) {
    i = skip_plain_ascii(s, i, true);
    if (i == s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) {
      if (c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) return false;
      ++i;
    } else if (c < 0x80) {
      ++i;
    } else {
      const std::size_t n = utf8_sequence_length(s.substr(i));
      if (n == 0) return false;
      i += n;
    }
  }
  return true;
}

}  // namespace trafficdb
