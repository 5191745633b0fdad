#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "recorder/bounded_json_input.h"

using namespace trafficdb;
using nlohmann::json;

namespace {

// Parses `text` through the input with the given string limit.
json parse_bounded(const std::string& text, std::uint64_t max_string) {
  BoundedJsonInput input(std::string_view(text), max_string);
  return json::parse(input.begin(), input.end());
}

}  // namespace

TEST_CASE("Strings within the limit pass through unchanged", "[json-input]") {
  const std::string text = R"({"a":"hello","b":["x\"y","\u00e9\ud83d\ude00"],"c":1.5,"d":null})";
  CHECK(parse_bounded(text, 100) == json::parse(text));
}

TEST_CASE("Long strings are cut at the limit and still parse", "[json-input][hostile]") {
  const std::string long_value(100000, 'x');
  const json j = parse_bounded("{\"k\":\"" + long_value + "\",\"next\":2}", 1000);
  CHECK(j["k"].get<std::string>() == std::string(1000, 'x'));
  CHECK(j["next"] == 2);
}

TEST_CASE("A cut never splits an escape, a surrogate pair or a UTF-8 sequence", "[json-input][hostile]") {
  // Escapes, a surrogate pair and 3-byte UTF-8 characters repeated so that
  // every limit lands somewhere different inside them.
  std::string unit = "ab\\n\\u00e9\\ud83d\\ude00\xe2\x82\xac\\\"";
  std::string body;
  for (int i = 0; i < 50; ++i) body += unit;
  const std::string text = "[\"" + body + "\"]";
  for (std::uint64_t limit = 1; limit < 60; ++limit) {
    INFO("limit " << limit);
    json j;
    REQUIRE_NOTHROW(j = parse_bounded(text, limit));
    const std::string s = j[0].get<std::string>();
    CHECK(s.size() <= limit + 8);
    CHECK_FALSE(s.empty());
  }
}

TEST_CASE("The input reports each cut with the string's offset and length", "[json-input]") {
  const std::string text = "[\"short\",\"" + std::string(5000, 'y') + "\"]";
  BoundedJsonInput input(std::string_view(text), 100);
  struct Sax : nlohmann::json_sax<json> {
    BoundedJsonInput* in;
    std::vector<BoundedJsonInput::StringCut> cuts;
    std::vector<std::size_t> lengths;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t& s) override {
      lengths.push_back(s.size());
      if (auto c = in->take_cut()) cuts.push_back(*c);
      return true;
    }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
  } sax;
  sax.in = &input;
  REQUIRE(json::sax_parse(input.begin(), input.end(), &sax));
  REQUIRE(sax.lengths == std::vector<std::size_t>{5, 100});
  REQUIRE(sax.cuts.size() == 1);
  CHECK(sax.cuts[0].offset == 9);
  CHECK(sax.cuts[0].original_length == 5000);
  CHECK(input.offset() == text.size());
}
