// A structural diff of two JSON documents: the paths where they differ
// ($.items[3].price, $["a key"].x), each added, removed or changed (a
// different value or a different type), with both values.
//
// Objects are compared by key (order ignored), arrays by position (an
// element inserted at the front shows as every later element changed, then
// one added: positional, not a sequence alignment). Only leaves and whole
// added/removed subtrees are reported, depth first, keys in sorted order.
//
// Bounds: documents over `max_document_bytes` or nested deeper than
// `max_depth` are not parsed (`summarized`, with the reason; the caller says
// whether the bytes are equal); at most `max_differences` are listed and
// `more_differences` counts the rest; a value longer than `max_value_bytes`
// as JSON is given as a string of its first bytes ending in "…" with
// `a_truncated` / `b_truncated` set.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace trafficdb {

struct JsonDiffLimits {
  std::size_t max_document_bytes = 4u << 20;
  std::size_t max_depth = 64;
  std::size_t max_differences = 50;
  std::size_t max_value_bytes = 200;
};

struct JsonDifference {
  std::string path;
  std::string change;  // "added", "removed", "changed"
  std::optional<nlohmann::json> a, b;  // absent for added (a) and removed (b)
  bool a_truncated = false, b_truncated = false;
};

struct JsonDiff {
  bool equal = false;         // the same value (whatever the formatting)
  bool summarized = false;    // not compared: see reason
  std::string reason;
  std::vector<JsonDifference> differences;
  std::size_t more_differences = 0;
};

// True when `text` starts (after spaces) like a JSON object or array.
bool looks_like_json(std::string_view text);

// Compares two parsed documents.
JsonDiff diff_json(const nlohmann::json& a, const nlohmann::json& b, const JsonDiffLimits& limits = {});

// Compares two texts that are meant to be JSON: `summarized` when either is
// over the limits; nullopt when either is not JSON at all.
std::optional<JsonDiff> diff_json_texts(std::string_view a, std::string_view b, const JsonDiffLimits& limits = {});

nlohmann::json json_diff_to_json(const JsonDiff& diff);

}  // namespace trafficdb
