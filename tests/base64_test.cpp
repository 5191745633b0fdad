#include <catch2/catch.hpp>

#include "common/base64.h"

using namespace trafficdb;

TEST_CASE("base64 round-trips every length", "[base64]") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    const std::string encoded = base64_encode(bytes);
    auto decoded = base64_decode(encoded);
    REQUIRE(decoded.is_ok());
    CHECK(*decoded == bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
  CHECK(base64_encode("hello") == "aGVsbG8=");
  CHECK(*base64_decode("aGVs\nbG8") == "hello");  // whitespace and missing padding
}

TEST_CASE("base64 rejects characters outside the alphabet", "[base64]") {
  auto bad = base64_decode("aGVs*G8=");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("offset 4") != std::string::npos);
  CHECK_FALSE(base64_decode("aG=Vs").is_ok());  // data after padding
}
