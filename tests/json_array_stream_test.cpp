#include <catch2/catch.hpp>

#include "recorder/json_array_stream.h"

using namespace trafficdb;

namespace {

struct Collected {
  std::vector<JsonElement> elements;
  Result<JsonArrayStreamResult> result = Status::error("not run");
};

Collected stream(const std::string& text, const std::vector<std::string>& path, std::uint64_t max_element = 1 << 20,
                 std::uint64_t max_string = 1 << 20) {
  BoundedJsonInput input(std::string_view(text), max_string);
  Collected c;
  c.result = stream_json_array(input, path, max_element, [&](JsonElement&& e) {
    c.elements.push_back(std::move(e));
    return true;
  });
  return c;
}

}  // namespace

TEST_CASE("Elements of a nested array are delivered one by one", "[json-stream]") {
  const std::string text =
      R"({"log":{"version":"1.2","pages":[{"id":"p"}],"entries":[{"a":1},{"a":2,"b":[1,{"c":3}]},7],"after":1}})";
  auto c = stream(text, {"log", "entries"});
  REQUIRE(c.result.is_ok());
  CHECK(c.result->array_found);
  REQUIRE(c.elements.size() == 3);
  CHECK(c.elements[0].value == nlohmann::json::parse(R"({"a":1})"));
  CHECK(c.elements[1].value == nlohmann::json::parse(R"({"a":2,"b":[1,{"c":3}]})"));
  CHECK(c.elements[2].value == 7);
  CHECK(c.elements[1].index == 1);
  CHECK(text.substr(c.elements[1].offset, 6) == "{\"a\":2");
}

TEST_CASE("A top-level array is the empty path; arrays elsewhere are ignored", "[json-stream]") {
  auto c = stream(R"([{"x":[1,2]},{"x":[]}])", {});
  REQUIRE(c.result.is_ok());
  CHECK(c.elements.size() == 2);

  auto elsewhere = stream(R"({"other":{"entries":[1,2]},"log":{"pages":[1]}})", {"log", "entries"});
  REQUIRE(elsewhere.result.is_ok());
  CHECK_FALSE(elsewhere.result->array_found);
  CHECK(elsewhere.elements.empty());
}

TEST_CASE("Truncated JSON keeps the elements before the fault and names the offset", "[json-stream][hostile]") {
  const std::string text = R"({"log":{"entries":[{"a":1},{"a":2},{"a":)";
  auto c = stream(text, {"log", "entries"});
  REQUIRE_FALSE(c.result.is_ok());
  CHECK(c.elements.size() == 2);
  CHECK(c.result.status().message().find("byte " + std::to_string(text.size())) != std::string::npos);
}

TEST_CASE("An oversized element is skipped and reported; the stream goes on", "[json-stream][hostile]") {
  const std::string big = "{\"pad\":\"" + std::string(5000, 'z') + "\",\"more\":[1,2,3]}";
  auto c = stream("[{\"a\":1}," + big + ",{\"a\":3}]", {}, 1000);
  REQUIRE(c.result.is_ok());
  REQUIRE(c.elements.size() == 3);
  CHECK_FALSE(c.elements[0].oversized);
  CHECK(c.elements[1].oversized);
  CHECK(c.elements[1].value.is_null());
  CHECK(c.elements[2].value["a"] == 3);
}

TEST_CASE("Cut strings are reported by JSON pointer", "[json-stream]") {
  auto c = stream(R"([{"response":{"content":{"text":")" + std::string(300, 'q') + R"("}},"list":["a","bbbbbbbbbbbb"]}])",
                  {}, 1 << 20, 10);
  REQUIRE(c.result.is_ok());
  REQUIRE(c.elements.size() == 1);
  const auto& cuts = c.elements[0].cut_strings;
  REQUIRE(cuts.size() == 2);
  CHECK(cuts[0].first == "/response/content/text");
  CHECK(cuts[0].second == 300);
  CHECK(cuts[1].first == "/list/1");
  CHECK(c.elements[0].value["response"]["content"]["text"].get<std::string>().size() == 10);
}
