#include "recorder/export_fields.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "common/utf8.h"
#include "common/base64.h"
#include "recorder/content_decoding.h"

namespace trafficdb {

using nlohmann::json;

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> string_field(const json& object, const char* key, const char* where, Caveats& caveats) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    caveats.push_back(std::string(where) + "." + key + " is " + v->type_name() + ", expected a string; ignored");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<double> number_field(const json& object, const char* key, const char* where, Caveats& caveats) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d)) return d;
  }
  caveats.push_back(std::string(where) + "." + key + " is " + v->type_name() + ", expected a number; ignored");
  return std::nullopt;
}

std::optional<std::int64_t> size_field(const json& object, const char* key, const char* where, Caveats& caveats) {
  const auto d = number_field(object, key, where, caveats);
  if (!d || *d < 0 || *d > 9.0e15) return std::nullopt;
  return static_cast<std::int64_t>(*d);
}

Headers headers_field(const json& message, const char* key, const char* where, Caveats& caveats) {
  Headers headers;
  const json* list = member(message, key);
  if (!list) return headers;
  if (!list->is_array()) {
    caveats.push_back(std::string(where) + "." + key + " is not an array; ignored");
    return headers;
  }
  for (const json& h : *list) {
    const json* name = member(h, "name");
    const json* value = member(h, "value");
    if (!name || !name->is_string()) {
      caveats.push_back(std::string(where) + "." + key + " has an entry without a string name; skipped");
      continue;
    }
    std::string v;
    if (value && value->is_string()) v = value->get<std::string>();
    else if (value && value->is_number()) v = value->dump();
    headers.push_back({name->get<std::string>(), std::move(v)});
  }
  return headers;
}

std::string bytes_text(std::uint64_t n) {
  char buf[32];
  if (n >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  return buf;
}

std::string text_field_bytes(const std::string& text, bool base64, const char* where, Caveats& caveats) {
  if (!base64) return text;
  auto decoded = base64_decode(text);
  if (decoded.is_ok()) return std::move(decoded).value();
  caveats.push_back(std::string(where) + ": " + decoded.status().message() + "; kept as text");
  return text;
}

StillEncoded looks_still_encoded(const std::string& encoding, std::string_view bytes) {
  if (is_identity_encoding(encoding) || !is_supported_content_encoding(encoding) || bytes.size() < 2)
    return StillEncoded::no;
  const auto b0 = static_cast<unsigned char>(bytes[0]), b1 = static_cast<unsigned char>(bytes[1]);
  if (b0 == 0x1f && b1 == 0x8b) return StillEncoded::surely;
  if (bytes.size() >= 4 && b0 == 0x28 && b1 == 0xb5 && static_cast<unsigned char>(bytes[2]) == 0x2f &&
      static_cast<unsigned char>(bytes[3]) == 0xfd)
    return StillEncoded::surely;
  if ((b0 & 0x0f) == 8 && ((b0 << 8) | b1) % 31 == 0) return StillEncoded::surely;
  return looks_like_text(bytes) ? StillEncoded::no : StillEncoded::maybe;
}

void cap_body(Body& body, std::optional<std::uint64_t> cut, std::uint64_t max_body_bytes, const char* which,
              Caveats& caveats) {
  if (!cut && body.data.size() <= max_body_bytes) return;
  if (cut) {
    // Without a declared size, the string's length in the file is the best
    // estimate of the body's (base64 and escapes make it an over-estimate).
    if (!body.size) body.size = static_cast<std::int64_t>(*cut);
    if (body.data.size() > max_body_bytes) body.data.resize(max_body_bytes);
    caveats.push_back(std::string(which) + " body: its string of " + bytes_text(*cut) +
                      " in the file was cut while reading; " + bytes_text(body.data.size()) + " kept");
    return;
  }
  if (!body.size) body.size = static_cast<std::int64_t>(body.data.size());
  caveats.push_back(std::string(which) + " body of " + bytes_text(static_cast<std::uint64_t>(*body.size)) +
                    " cut to the body limit of " + bytes_text(max_body_bytes));
  body.data.resize(max_body_bytes);
}

void set_export_body(Body& body, std::string bytes, std::optional<std::uint64_t> cut,
                     std::optional<std::int64_t> declared_size, std::uint64_t max_body_bytes, const char* which,
                     Caveats& caveats) {
  const StillEncoded still = cut ? StillEncoded::no : looks_still_encoded(body.encoding, bytes);
  if (still != StillEncoded::no) {
    auto decoded = decode_content(body.encoding, bytes, max_body_bytes);
    // A guess (no magic number) counts only when the whole stream decodes.
    if (decoded.is_ok() && (still == StillEncoded::surely || !decoded->incomplete)) {
      bytes = std::move(decoded->data);
      if (decoded->truncated) {
        body.size = declared_size;
        caveats.push_back(std::string(which) + " body decodes to more than the body limit of " +
                          bytes_text(max_body_bytes) + "; cut there");
      } else if (decoded->incomplete) {
        caveats.push_back(std::string(which) + " body's " + body.encoding + " stream ends early; the " +
                          bytes_text(bytes.size()) + " it held are kept");
      }
    } else if (still == StillEncoded::surely) {
      caveats.push_back(std::string(which) + " body looks " + body.encoding + "-encoded but does not decode (" +
                        decoded.status().message() + "); kept as it is");
    }  // a mere guess that failed: the bytes were decoded already (binary content)
  }
  body.data = std::move(bytes);
  if (cut) body.size = declared_size;
  cap_body(body, cut, max_body_bytes, which, caveats);
}

std::optional<Micros> offset_micros(std::optional<Micros> base, std::optional<double> ms, const char* what,
                                   Caveats& caveats) {
  if (!base || !ms) return std::nullopt;
  // Ten years of milliseconds: anything longer is a broken value, not a time.
  if (!std::isfinite(*ms) || *ms < 0 || *ms > 3.2e11) {
    caveats.push_back(std::string(what) + " of " + std::to_string(*ms) + " ms is out of range; ignored");
    return std::nullopt;
  }
  return *base + static_cast<Micros>(std::llround(*ms * 1000));
}

std::optional<int> status_code(std::optional<double> status, const char* where, Caveats& caveats) {
  if (!status) return std::nullopt;
  if (*status >= 100 && *status <= 999 && std::floor(*status) == *status) return static_cast<int>(*status);
  if (*status != 0 && *status != -1)
    caveats.push_back(std::string(where) + " status " + std::to_string(*status) + " is not an HTTP status; ignored");
  return std::nullopt;
}

std::optional<std::uint64_t> cut_length(const JsonElement& element, const std::string& pointer) {
  for (const auto& [p, len] : element.cut_strings)
    if (p == pointer) return len;
  return std::nullopt;
}

}  // namespace trafficdb
