// UTF-8 checks (common/utf8.h): the word-at-a-time fast paths of
// is_valid_utf8 and looks_like_text agree with a byte-by-byte reading on
// random mixes of ASCII, control characters, valid and broken sequences, at
// every alignment.
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "common/utf8.h"

using namespace trafficdb;

namespace {

bool valid_bytewise(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool text_bytewise(std::string_view s) {
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) return false;
  }
  return valid_bytewise(s);
}

}  // namespace

TEST_CASE("UTF-8: the fast paths agree with a byte-by-byte reading", "[utf8]") {
  const std::string pieces[] = {"a", " ", "{\"k\":1}", "\t", "\n", "\r", "\x01", "\x1b", "\x7f",
                                "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\x80", "\xc3", "\xed\xa0\x80"};
  std::mt19937 rng(7);
  for (int t = 0; t < 50000; ++t) {
    std::string s;
    const int n = static_cast<int>(rng() % 48);
    for (int k = 0; k < n; ++k) s += rng() % 3 ? std::string(1, static_cast<char>('a' + rng() % 26)) : pieces[rng() % 16];
    INFO(t);
    REQUIRE(is_valid_utf8(s) == valid_bytewise(s));
    REQUIRE(looks_like_text(s) == text_bytewise(s));
  }
  CHECK(looks_like_text(std::string(1000, 'x') + "\n" + std::string(1000, 'y')));
  CHECK_FALSE(looks_like_text(std::string(1000, 'x') + '\0' + std::string(7, 'y')));
  CHECK_FALSE(is_valid_utf8(std::string(16, 'x') + "\xc3"));
  CHECK(is_valid_utf8(std::string(16, 'x') + "\xc3\xa9" + std::string(9, 'z')));
}
