#include <catch2/catch.hpp>

#include <chrono>

#include "query/json_diff.h"

using namespace trafficdb;
using nlohmann::json;

namespace {

const JsonDifference* at(const JsonDiff& d, const std::string& path) {
  for (const auto& x : d.differences)
    if (x.path == path) return &x;
  return nullptr;
}

}  // namespace

TEST_CASE("JSON diff lists the paths that differ, nested and in arrays", "[query][diff]") {
  const json a = json::parse(R"({"user":{"name":"Ada","tags":["x","y"]},"items":[{"price":1},{"price":2}],"gone":true,
                                 "n":1,"type":"1","weird key":0})");
  const json b = json::parse(R"({"user":{"name":"Grace","tags":["x"]},"items":[{"price":1},{"price":3},{"price":4}],
                                 "new":null,"n":1.0,"type":1,"weird key":1})");
  const JsonDiff d = diff_json(a, b);
  CHECK_FALSE(d.equal);
  REQUIRE(at(d, "$.user.name"));
  CHECK(at(d, "$.user.name")->change == "changed");
  CHECK(*at(d, "$.user.name")->a == "Ada");
  CHECK(*at(d, "$.user.name")->b == "Grace");
  REQUIRE(at(d, "$.user.tags[1]"));
  CHECK(at(d, "$.user.tags[1]")->change == "removed");
  CHECK_FALSE(at(d, "$.user.tags[1]")->b);
  CHECK(at(d, "$.items[1].price")->change == "changed");
  CHECK(at(d, "$.items[2]")->change == "added");
  CHECK(*at(d, "$.items[2]")->b == json{{"price", 4}});
  CHECK(at(d, "$.gone")->change == "removed");
  CHECK(at(d, "$.new")->change == "added");
  CHECK(at(d, "$.type")->change == "changed");  // string -> number: a type change
  CHECK(*at(d, "$.type")->a == "1");
  CHECK_FALSE(at(d, "$.n"));                     // 1 and 1.0 are the same number
  CHECK(at(d, "$[\"weird key\"]"));
  CHECK(d.differences.size() == 8);

  CHECK(diff_json(json::parse("[1,2]"), json::parse("[1,2]")).equal);
  const auto reformatted = diff_json_texts("{\"a\": [1, 2]}", "{\n  \"a\":[1,2]\n}");
  REQUIRE(reformatted);
  CHECK(reformatted->equal);
  CHECK_FALSE(diff_json_texts("{\"a\":1}", "not json"));
  CHECK_FALSE(diff_json_texts("{\"a\":1", "{\"a\":1}"));  // a cut document is not JSON
  CHECK(json_diff_to_json(d)["differences"].size() == 8);
}

TEST_CASE("JSON diff is bounded: differences listed, values cut, large documents summarized", "[query][diff][hostile]") {
  json a = json::array(), b = json::array();
  for (int i = 0; i < 500; ++i) {
    a.push_back(i);
    b.push_back(i + 1);
  }
  JsonDiffLimits limits;
  limits.max_differences = 10;
  const JsonDiff many = diff_json(a, b, limits);
  CHECK(many.differences.size() == 10);
  CHECK(many.more_differences == 490);
  CHECK(json_diff_to_json(many)["more_differences"] == 490);

  const json long_a = {{"s", std::string(1000, 'x')}}, long_b = {{"s", "y"}};
  const JsonDiff cut = diff_json(long_a, long_b);
  REQUIRE(cut.differences.size() == 1);
  CHECK(cut.differences[0].a_truncated);
  CHECK(cut.differences[0].a->get<std::string>().size() < 210);
  CHECK_FALSE(cut.differences[0].b_truncated);

  const auto start = std::chrono::steady_clock::now();
  std::string big = "{\"items\":[";
  while (big.size() < 5u << 20) big += "{\"id\":12345,\"name\":\"item\"},";
  big += "{}]}";
  std::string other = big;
  other[20] = '9';
  const auto huge = diff_json_texts(big, other);
  REQUIRE(huge);
  CHECK(huge->summarized);
  CHECK(huge->reason.find("too large") != std::string::npos);

  const std::string deep(100000, '['), deep_b = std::string(99999, '[') + "{";
  const auto nested = diff_json_texts(deep, deep_b);
  REQUIRE(nested);
  CHECK(nested->summarized);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}
