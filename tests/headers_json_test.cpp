#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "store/headers_json.h"

using namespace trafficdb;

TEST_CASE("Headers become a JSON array of pairs that parses back", "[headers-json]") {
  const Headers headers = {{"Host", "example.com"},
                           {"X-Quote", "say \"hi\" \\ bye"},
                           {"X-Control", std::string("a\tb\nc\rd\x01" "e\x7f", 11)},
                           {"X-Utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
                           {"X-Latin1", "caf\xe9"},
                           {"X-Dup", "1"},
                           {"X-Dup", "2"}};
  const std::string text = headers_to_json(headers);
  const auto parsed = nlohmann::json::parse(text);
  REQUIRE(parsed.size() == headers.size());
  CHECK(parsed[0] == nlohmann::json::array({"Host", "example.com"}));
  CHECK(parsed[1][1] == "say \"hi\" \\ bye");
  CHECK(parsed[2][1] == std::string("a\tb\nc\rd\x01" "e\x7f", 11));
  CHECK(parsed[3][1] == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(parsed[4][1] == "caf\xc3\xa9");  // the Latin-1 byte read as U+00E9
  CHECK(parsed[6][1] == "2");
  CHECK(headers_to_json({}) == "[]");
}
