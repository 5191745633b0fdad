#include "query/redaction.h"

#include <algorithm>
#include <cctype>

namespace trafficdb {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains_any(const std::string& name, const std::vector<std::string>& fragments) {
  return std::any_of(fragments.begin(), fragments.end(),
                     [&](const std::string& f) { return name.find(f) != std::string::npos; });
}

bool is_one_of(const std::string& name, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// "a=1; b=2" -> "a=[REDACTED]; b=[REDACTED]" (Cookie), and for Set-Cookie only
// the first pair's value: "a=1; Path=/" -> "a=[REDACTED]; Path=/".
std::string mask_cookie_values(std::string_view value, bool only_first) {
  std::string out;
  std::size_t start = 0;
  bool first = true;
  while (start <= value.size()) {
    const std::size_t semi = std::min(value.find(';', start), value.size());
    std::string_view pair = value.substr(start, semi - start);
    const std::size_t eq = pair.find('=');
    if ((first || !only_first) && eq != std::string_view::npos) {
      out.append(pair.substr(0, eq + 1));
      out.append(kRedacted);
    } else {
      out.append(pair);
    }
    first = false;
    if (semi == value.size()) break;
    out += ';';
    start = semi + 1;
  }
  return out;
}

}  // namespace

const RedactionRules& RedactionRules::defaults() {
  static const RedactionRules rules{
      {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "apikey",
       "x-auth-token", "x-access-token", "x-amz-security-token", "x-csrf-token", "x-xsrf-token", "x-session-id"},
      {"token", "secret", "password", "api-key", "api_key", "apikey", "signature"},
      {"access_token", "refresh_token", "id_token", "token", "api_key", "apikey", "key", "password", "passwd", "pwd",
       "secret", "client_secret", "signature", "sig", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
       "auth", "code", "session", "sessionid", "jwt"},
      {"token", "secret", "password"}};
  return rules;
}

RedactionRules RedactionRules::with_extra(const std::vector<std::string>& headers,
                                          const std::vector<std::string>& params) {
  RedactionRules rules = defaults();
  for (const auto& h : headers) rules.header_names.push_back(lower(h));
  for (const auto& p : params) rules.query_params.push_back(lower(p));
  return rules;
}

bool RedactionRules::secret_header(std::string_view name) const {
  const std::string n = lower(name);
  return is_one_of(n, header_names) || contains_any(n, header_fragments);
}

bool RedactionRules::secret_param(std::string_view name) const {
  const std::string n = lower(name);
  return is_one_of(n, query_params) || contains_any(n, param_fragments);
}

std::string redact_header_value(std::string_view name, std::string_view value, const RedactionRules& rules) {
  if (!rules.secret_header(name)) return std::string(value);
  const std::string n = lower(name);
  if (n == "authorization" || n == "proxy-authorization") {
    const std::size_t space = value.find(' ');
    if (space != std::string_view::npos && space > 0) return std::string(value.substr(0, space + 1)) + std::string(kRedacted);
    return std::string(kRedacted);
  }
  if (n == "cookie") return mask_cookie_values(value, false);
  if (n == "set-cookie") return mask_cookie_values(value, true);
  return std::string(kRedacted);
}

Headers redact_headers(const Headers& headers, const RedactionRules& rules) {
  Headers out;
  out.reserve(headers.size());
  for (const Header& h : headers) out.push_back({h.name, redact_header_value(h.name, h.value, rules)});
  return out;
}

std::string redact_query_string(std::string_view query, const RedactionRules& rules) {
  std::string out;
  std::size_t start = 0;
  while (start <= query.size()) {
    const std::size_t amp = std::min(query.find('&', start), query.size());
    const std::string_view pair = query.substr(start, amp - start);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && rules.secret_param(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1));
      out.append(kRedacted);
    } else {
      out.append(pair);
    }
    if (amp == query.size()) break;
    out += '&';
    start = amp + 1;
  }
  return out;
}

std::string redact_url(std::string_view url, const RedactionRules& rules) {
  const std::size_t q = url.find('?');
  if (q == std::string_view::npos) return std::string(url);
  const std::size_t hash = url.find('#', q);
  const std::string_view query = url.substr(q + 1, hash == std::string_view::npos ? std::string_view::npos : hash - q - 1);
  std::string out(url.substr(0, q + 1));
  out += redact_query_string(query, rules);
  if (hash != std::string_view::npos) out += url.substr(hash);
  return out;
}

}  // namespace trafficdb
