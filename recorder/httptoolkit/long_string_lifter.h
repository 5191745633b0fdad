// LongStringLifter: parsing JSON whose long plain strings are set aside
// first, so that a multi-megabyte base64 body costs a copy, not a lexer.
//
// nlohmann's lexer builds every string a character at a time (growing it as
// it goes), which makes a 5 MB body cost tens of milliseconds. lift() finds
// the string values (not keys) of at least `min_length` bytes that need no
// decoding (only printable ASCII, no escapes: base64 bodies are such) with
// memchr-speed scans, and returns the text with each replaced by a short marker; after
// parsing that, restore() puts each back into the value with one copy,
// cut at the string limit the way BoundedJsonInput cuts (and said in
// `cuts`, by JSON pointer). Markers carry a random nonce of the lifter's, so
// text that imitates one is not taken for one.
//
// The text lift() returns is valid until the next lift() and refers to the
// original text, which must outlive restore().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace trafficdb {

class LongStringLifter {
 public:
  explicit LongStringLifter(std::size_t min_length = 4096);

  // `text` itself when no string was lifted, else the text with markers.
  std::string_view lift(std::string_view text);

  // Puts the strings lifted by the last lift() back into `value` (parsed
  // from what it returned), each cut at max_string_bytes; a cut string is
  // added to `cuts` as (JSON pointer, its length).
  void restore(nlohmann::json& value, std::uint64_t max_string_bytes,
               std::vector<std::pair<std::string, std::uint64_t>>& cuts) const;

  std::size_t lifted() const { return lifted_.size(); }

 private:
  void restore_in(nlohmann::json& value, std::string& pointer, std::uint64_t max_string_bytes,
                  std::vector<std::pair<std::string, std::uint64_t>>& cuts) const;

  const std::size_t min_length_;
  const std::string marker_;  // "\x01" + nonce + ":" as the parsed value starts
  std::string_view text_;
  std::string marked_;
  std::vector<std::pair<std::size_t, std::size_t>> lifted_;  // offset and length in text_
};

}  // namespace trafficdb
