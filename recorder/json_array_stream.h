// JsonArrayStream: reads the elements of one array inside a JSON document,
// one element at a time, without holding the document in memory.
//
// The array is named by a path of object keys from the root: {"log",
// "entries"} for HAR, {} for a top-level array (Charles .chlsj). Each element
// is built as a small nlohmann::json value and handed to the callback with its
// index and byte offset; then it is freed. Everything outside the array is
// skipped. Memory is bounded by the largest element allowed
// (`max_element_bytes`) plus the input's string cut.
//
// Errors: invalid JSON stops the stream with a message naming the byte offset
// (elements before it were already delivered). An element larger than
// max_element_bytes, or nested deeper than 512 levels, is skipped and
// reported through the callback with `oversized` set, and the stream goes
// on. The size counted is what the parser sees (strings cut by the input
// count at their cut length) plus 64 bytes per value, for what a json node
// costs in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "recorder/bounded_json_input.h"

namespace trafficdb {

// A key escaped for a JSON pointer (RFC 6901): ~ as ~0, / as ~1.
std::string json_pointer_token(const std::string& key);

struct JsonElement {
  nlohmann::json value;  // null when oversized
  std::size_t index = 0;
  std::uint64_t offset = 0;  // byte offset where the element starts
  bool oversized = false;  // skipped: too large or too deeply nested (see skip_reason)
  std::string skip_reason;  // "is larger than ...", "is nested deeper than ..."
  // Strings inside the element that were cut at the input's limit: the JSON
  // pointer to each (e.g. "/response/content/text") and its original length.
  std::vector<std::pair<std::string, std::uint64_t>> cut_strings;
};

struct JsonArrayStreamResult {
  bool array_found = false;  // the path led to an array
  std::size_t elements = 0;  // elements delivered (oversized ones included)
  bool stopped = false;      // the callback asked to stop
};

// Returns true to go on, false to stop reading.
using JsonElementCallback = std::function<bool(JsonElement&&)>;

// Streams the array at `path` in `input`. Fails on invalid JSON (the message
// names the byte offset and what the parser expected) or a read error; a
// document without the array is not an error here: array_found says so.
Result<JsonArrayStreamResult> stream_json_array(BoundedJsonInput& input,
                                                const std::vector<std::string>& path,
                                                std::uint64_t max_element_bytes,
                                                const JsonElementCallback& on_element);

}  // namespace trafficdb
