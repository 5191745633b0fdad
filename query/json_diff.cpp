#include "query/json_diff.h"

#include <algorithm>
#include <cctype>

#include "query/json_nesting.h"

namespace trafficdb {
namespace {

using json = nlohmann::json;

bool plain_key(const std::string& key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string member_path(const std::string& parent, const std::string& key) {
  if (plain_key(key)) return parent + "." + key;
  return parent + "[" + json(key).dump(-1, ' ', false, json::error_handler_t::replace) + "]";
}

class Differ {
 public:
  Differ(const JsonDiffLimits& limits, JsonDiff& out) : limits_(limits), out_(out) {}

  void compare(const json& a, const json& b, const std::string& path) {
    if (a.type() == b.type() && a.is_object()) {
      // Keys in sorted order (nlohmann's object is a std::map): one merge.
      auto ia = a.begin(), ib = b.begin();
      while (ia != a.end() || ib != b.end()) {
        if (ib == b.end() || (ia != a.end() && ia.key() < ib.key())) {
          report(member_path(path, ia.key()), "removed", &ia.value(), nullptr);
          ++ia;
        } else if (ia == a.end() || ib.key() < ia.key()) {
          report(member_path(path, ib.key()), "added", nullptr, &ib.value());
          ++ib;
        } else {
          compare(ia.value(), ib.value(), member_path(path, ia.key()));
          ++ia, ++ib;
        }
      }
      return;
    }
    if (a.type() == b.type() && a.is_array()) {
      const std::size_t common = std::min(a.size(), b.size());
      for (std::size_t i = 0; i < common; ++i) compare(a[i], b[i], path + "[" + std::to_string(i) + "]");
      for (std::size_t i = common; i < a.size(); ++i) report(path + "[" + std::to_string(i) + "]", "removed", &a[i], nullptr);
      for (std::size_t i = common; i < b.size(); ++i) report(path + "[" + std::to_string(i) + "]", "added", nullptr, &b[i]);
      return;
    }
    if (a != b) report(path, "changed", &a, &b);
  }

 private:
  void report(std::string path, const char* change, const json* a, const json* b) {
    if (out_.differences.size() >= limits_.max_differences) {
      ++out_.more_differences;
      return;
    }
    JsonDifference d;
    d.path = std::move(path);
    d.change = change;
    if (a) d.a = bounded(*a, d.a_truncated);
    if (b) d.b = bounded(*b, d.b_truncated);
    out_.differences.push_back(std::move(d));
  }

  json bounded(const json& value, bool& truncated) const {
    if (value.is_primitive() && !value.is_string()) return value;
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() <= limits_.max_value_bytes) return value;
    truncated = true;
    std::size_t end = limits_.max_value_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text.resize(end);
    return text + "\xE2\x80\xA6";  // …
  }

  const JsonDiffLimits& limits_;
  JsonDiff& out_;
};

}  // namespace

bool looks_like_json(std::string_view text) {
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

JsonDiff diff_json(const json& a, const json& b, const JsonDiffLimits& limits) {
  JsonDiff out;
  if (a == b) {
    out.equal = true;
    return out;
  }
  Differ(limits, out).compare(a, b, "$");
  return out;
}

std::optional<JsonDiff> diff_json_texts(std::string_view a, std::string_view b, const JsonDiffLimits& limits) {
  if (!looks_like_json(a) || !looks_like_json(b)) return std::nullopt;
  JsonDiff out;
  const std::size_t larger = std::max(a.size(), b.size());
  if (larger > limits.max_document_bytes) {
    out.summarized = true;
    out.reason = "too large to compare by structure: " + std::to_string(larger) + " bytes (limit " +
                 std::to_string(limits.max_document_bytes) + ")";
    return out;
  }
  if (json_nesting_depth(a, limits.max_depth) > limits.max_depth ||
      json_nesting_depth(b, limits.max_depth) > limits.max_depth) {
    out.summarized = true;
    out.reason = "nested deeper than " + std::to_string(limits.max_depth) + " levels: not compared by structure";
    return out;
  }
  const json ja = json::parse(a, nullptr, false), jb = json::parse(b, nullptr, false);
  if (ja.is_discarded() || jb.is_discarded()) return std::nullopt;
  return diff_json(ja, jb, limits);
}

json json_diff_to_json(const JsonDiff& diff) {
  json j = {{"equal", diff.equal}};
  if (diff.summarized) {
    j["summarized"] = true;
    j["reason"] = diff.reason;
    return j;
  }
  json list = json::array();
  for (const JsonDifference& d : diff.differences) {
    json item = {{"path", d.path}, {"change", d.change}};
    if (d.a) item["a"] = *d.a;
    if (d.b) item["b"] = *d.b;
    if (d.a_truncated) item["a_truncated"] = true;
    if (d.b_truncated) item["b_truncated"] = true;
    list.push_back(std::move(item));
  }
  j["differences"] = std::move(list);
  if (diff.more_differences) j["more_differences"] = diff.more_differences;
  return j;
}

}  // namespace trafficdb
