#include "recorder/httptoolkit/long_string_lifter.h"

#include <charconv>
#include <cstring>
#include <random>

#include "recorder/json_array_stream.h"

namespace trafficdb {
namespace {

std::string random_nonce() {
  std::random_device device;
  std::string nonce;
  for (int i = 0; i < 4; ++i) nonce += std::to_string(device());
  return nonce;
}

// Whether every byte is printable ASCII (0x20-0x7e): what a JSON string
// holds as it is when it has no escapes. Written to vectorise.
bool printable_ascii(const char* p, std::size_t n) {
  unsigned bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    bad |= static_cast<unsigned>(c < 0x20) | static_cast<unsigned>(c > 0x7e);
  }
  return bad == 0;
}

// The closing quote of the string whose contents start at `p`, and whether
// the string has escapes; nullptr when it does not end.
const char* string_end(const char* p, const char* end, bool& escapes) {
  escapes = false;
  for (;;) {
    const auto* quote = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (!quote) return nullptr;
    if (std::memchr(p, '\\', static_cast<std::size_t>(quote - p))) escapes = true;
    std::size_t backslashes = 0;  // an odd run of them escapes the quote
    for (const char* b = quote; b > p && b[-1] == '\\'; --b) ++backslashes;
    if (backslashes % 2 == 0) return quote;
    p = quote + 1;
  }
}

}  // namespace

LongStringLifter::LongStringLifter(std::size_t min_length)
    : min_length_(min_length), marker_("\x01" + random_nonce() + ":") {}

std::string_view LongStringLifter::lift(std::string_view text) {
  text_ = text;
  lifted_.clear();
  marked_.clear();
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* copied = begin;  // text before this is in marked_
  for (const char* p = begin; p < end;) {
    const auto* open = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (!open) break;
    bool escapes = false;
    const char* close = string_end(open + 1, end, escapes);
    if (!close) break;  // unterminated: the parser will say so
    const auto length = static_cast<std::size_t>(close - open - 1);
    const char* next = close + 1;  // a key is followed by ':' and stays
    while (next < end && (*next == ' ' || *next == '\t' || *next == '\n' || *next == '\r')) ++next;
    const bool key = next < end && *next == ':';
    if (length >= min_length_ && !escapes && !key && printable_ascii(open + 1, length)) {
      marked_.append(copied, open + 1);
      marked_ += "\\u0001" + marker_.substr(1) + std::to_string(lifted_.size());
      lifted_.emplace_back(static_cast<std::size_t>(open + 1 - begin), length);
      copied = close;
    }
    p = close + 1;
  }
  if (lifted_.empty()) return text;
  marked_.append(copied, end);
  return marked_;
}

void LongStringLifter::restore(nlohmann::json& value, std::uint64_t max_string_bytes,
                               std::vector<std::pair<std::string, std::uint64_t>>& cuts) const {
  if (lifted_.empty()) return;
  std::string pointer;
  restore_in(value, pointer, max_string_bytes, cuts);
}

void LongStringLifter::restore_in(nlohmann::json& value, std::string& pointer, std::uint64_t max_string_bytes,
                                  std::vector<std::pair<std::string, std::uint64_t>>& cuts) const {
  if (value.is_object() || value.is_array()) {
    const std::size_t at = pointer.size();
    std::size_t index = 0;
    for (auto it = value.begin(); it != value.end(); ++it, ++index) {
      pointer += "/" + (value.is_object() ? json_pointer_token(it.key()) : std::to_string(index));
      restore_in(*it, pointer, max_string_bytes, cuts);
      pointer.resize(at);
    }
    return;
  }
  if (!value.is_string()) return;
  std::string& s = value.get_ref<std::string&>();
  if (s.size() <= marker_.size() || s.compare(0, marker_.size(), marker_) != 0) return;
  std::size_t k = 0;
  const auto [ptr, ec] = std::from_chars(s.data() + marker_.size(), s.data() + s.size(), k);
  if (ec != std::errc() || ptr != s.data() + s.size() || k >= lifted_.size()) return;
  const auto [offset, length] = lifted_[k];
  if (length > max_string_bytes) cuts.emplace_back(pointer, length);
  s.assign(text_.data() + offset, std::min<std::uint64_t>(length, max_string_bytes));
}

}  // namespace trafficdb
