#include "query/body_redaction.h"

#include <algorithm>

#include <re2/re2.h>

#include "common/ascii.h"

namespace trafficdb {
namespace {

// The end of the JSON string token starting at `open` (the quote), just past
// its closing quote; text.size() when it is not closed.
std::size_t string_end(std::string_view text, std::size_t open) {
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') ++i;
    else if (text[i] == '"') return i + 1;
  }
  return text.size();
}

std::size_t skip_space(std::string_view text, std::size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  return i;
}

bool number_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

bool masks_numbers(const std::string& key, const RedactionRules& rules) {
  return key.find("password") != std::string::npos || key.find("secret") != std::string::npos || key == "pin" ||
         key == "otp" || key == "cvv" || key == "cvc" ||
         std::find(rules.added_names.begin(), rules.added_names.end(), key) != rules.added_names.end();
}

// Masks the values of secret-named keys; appends to `out`, counts in `masked`.
void redact_json_keys(std::string_view text, const RedactionRules& rules, std::string& out, std::size_t& masked) {
  std::size_t copied = 0, i = 0;
  while (i < text.size()) {
    if (text[i] != '"') {
      ++i;
      continue;
    }
    const std::size_t key_end = string_end(text, i);
    const std::size_t colon = skip_space(text, key_end);
    if (colon >= text.size() || text[colon] != ':') {
      i = key_end;
      continue;
    }
    const std::string key = ascii_lower(text.substr(i + 1, key_end - i - 2));  // closed: it is followed by ':' 
    const std::size_t value = skip_space(text, colon + 1);
    i = value;
    if (value >= text.size() || !rules.secret_param(key)) continue;
    std::size_t value_end = value;
    if (text[value] == '"') {
      value_end = string_end(text, value);
      out.append(text.substr(copied, value - copied));
      out += '"';
      out.append(kRedacted);
      out += '"';
    } else if (number_char(text[value]) && masks_numbers(key, rules)) {
      while (value_end < text.size() && number_char(text[value_end])) ++value_end;
      out.append(text.substr(copied, value - copied));
      out += '"';
      out.append(kRedacted);
      out += '"';
    } else {
      continue;
    }
    ++masked;
    copied = i = value_end;
  }
  out.append(text.substr(copied));
}

bool looks_like_json(std::string_view content_type, std::string_view body) {
  const std::string type = ascii_lower(content_type.substr(0, content_type.find(';')));
  if (type.find("json") != std::string::npos) return true;
  const std::size_t first = skip_space(body, 0);
  return first < body.size() && (body[first] == '{' || body[first] == '[');
}

bool is_form(std::string_view content_type) {
  return ascii_lower(content_type.substr(0, content_type.find(';'))).find("x-www-form-urlencoded") !=
         std::string::npos;
}

// Secret-shaped values anywhere in a text. Group 1, kept, is what names the
// secret ("Bearer ").
const RE2& secret_shapes() {
  static const RE2 re(
      "((?i:bearer)\\s+)[A-Za-z0-9._~+/=-]{16,}"
      "|eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"
      "|\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"
      "|\\bgh[pousr]_[A-Za-z0-9]{30,}"
      "|\\bxox[abposr]-[A-Za-z0-9-]{10,}"
      "|\\b[rs]k_live_[0-9A-Za-z]{16,}"
      "|\\bAIza[0-9A-Za-z_-]{35}"
      "|-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----");
  return re;
}

}  // namespace

std::optional<RedactedBody> redact_body(std::string_view body, std::string_view content_type,
                                        const RedactionRules& rules) {
  RedactedBody r;
  if (is_form(content_type)) {
    r.text = redact_query_string(body, rules);
    if (r.text != body) r.masked = 1;
  } else if (looks_like_json(content_type, body)) {
    r.text.reserve(body.size());
    redact_json_keys(body, rules, r.text, r.masked);
  } else {
    r.text = std::string(body);
  }
  const RE2& shapes = secret_shapes();
  std::string rewrite = "\\1";
  rewrite += kRedacted;
  // \1 is empty when an alternative without the "Bearer " group matched.
  const int replaced = RE2::GlobalReplace(&r.text, shapes, rewrite);
  if (replaced > 0) r.masked += static_cast<std::size_t>(replaced);
  if (r.masked == 0) return std::nullopt;
  return r;
}

}  // namespace trafficdb
