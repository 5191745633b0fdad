#include "store/headers_json.h"

#include <nlohmann/json.hpp>

#include "common/utf8.h"

namespace trafficdb {

void append_json_string(std::string& out, std::string_view text) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    // Copy a run of characters that need no escaping in one go.
    std::size_t run = i;
    while (run < text.size()) {
      const unsigned char c = static_cast<unsigned char>(text[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) break;
      ++run;
    }
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;

    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(text.substr(i));
      if (n > 0) {
        out.append(text.data() + i, n);
        i += n;
      } else {  // Latin-1 byte: U+0080..U+00FF as two UTF-8 bytes
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:  // other control characters and DEL
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    ++i;
  }
  out += '"';
}

std::string headers_to_json(const Headers& headers) {
  std::string out;
  std::size_t estimate = 2;
  for (const Header& h : headers) estimate += h.name.size() + h.value.size() + 8;
  out.reserve(estimate);
  out += '[';
  bool first = true;
  for (const Header& h : headers) {
    if (!first) out += ',';
    first = false;
    out += '[';
    append_json_string(out, h.name);
    out += ',';
    append_json_string(out, h.value);
    out += ']';
  }
  out += ']';
  return out;
}

Headers headers_from_json(std::string_view json) {
  Headers out;
  if (json.empty()) return out;
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const auto& pair : parsed) {
    if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string())
      out.push_back({pair[0].get<std::string>(), pair[1].get<std::string>()});
  }
  return out;
}

}  // namespace trafficdb
