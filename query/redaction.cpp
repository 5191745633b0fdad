#include "query/redaction.h"
#include "common/ascii.h"
#include "common/comma_list.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

namespace trafficdb {
namespace {

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
    if (first || !only_first) {
      if (eq != std::string_view::npos) {
        out.append(pair.substr(0, eq + 1));
        out.append(kRedacted);
      } else if (!pair.empty()) {
        out.append(pair.front() == ' ' ? " " : "");  // a value without a name: all of it is secret
        out.append(kRedacted);
      }
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

namespace {

RedactionRules built_in_rules() {
  return RedactionRules{
      {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key", "apikey",
       "x-auth-token", "x-access-token", "x-amz-security-token", "x-csrf-token", "x-xsrf-token", "x-session-id"},
      {"token", "secret", "password", "api-key", "api_key", "apikey", "signature", "-key", "auth"},
      {"access_token", "refresh_token", "id_token", "token", "api_key", "apikey", "key", "password", "passwd", "pwd",
       "secret", "client_secret", "signature", "sig", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
       "auth", "code", "session", "sessionid", "jwt", "pin", "otp", "cvv", "cvc", "private_key", "client_assertion"},
      {"token", "secret", "password", "apikey", "api_key", "private_key", "credential"},
      {}};
}

// "ssn, X-Internal-Key" -> {"ssn", "x-internal-key"}.
std::vector<std::string> names_in(const char* list) {
  std::vector<std::string> names;
  if (!list) return names;
  for (const std::string& name : split_comma_list(list)) names.push_back(ascii_lower(name));
  return names;
}

}  // namespace

const RedactionRules& RedactionRules::defaults() {
  static const RedactionRules rules = [] {
    RedactionRules r = built_in_rules();
    for (const std::string& name : names_in(std::getenv(kRedactEnvironmentVariable))) {
      r.header_names.push_back(name);
      r.query_params.push_back(name);
      r.added_names.push_back(name);
    }
    return r;
  }();
  return rules;
}

RedactionRules RedactionRules::with_extra(const std::vector<std::string>& headers,
                                          const std::vector<std::string>& params) {
  RedactionRules rules = defaults();
  for (const auto& h : headers) rules.header_names.push_back(ascii_lower(h));
  for (const auto& p : params) {
    rules.query_params.push_back(ascii_lower(p));
    rules.added_names.push_back(ascii_lower(p));
  }
  return rules;
}

bool RedactionRules::secret_header(std::string_view name) const {
  const std::string n = ascii_lower(name);
  return is_one_of(n, header_names) || contains_any(n, header_fragments);
}

bool RedactionRules::secret_param(std::string_view name) const {
  // Names are matched as the server reads them: percent-decoded ("api%5Fkey").
  std::string decoded;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size() && std::isxdigit(static_cast<unsigned char>(name[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(name[i + 2]))) {
      decoded += static_cast<char>(std::stoi(std::string(name.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      decoded += name[i] == '+' ? ' ' : name[i];
    }
  }
  const std::string n = ascii_lower(decoded);
  return is_one_of(n, query_params) || contains_any(n, param_fragments);
}

std::string redact_header_value(std::string_view name, std::string_view value, const RedactionRules& rules) {
  const std::string n = ascii_lower(name);
  // Headers that carry a URL carry its query string (tokens, codes) too.
  if (n == "referer" || n == "location" || n == "content-location" || n == "origin" || n == "refresh")
    return redact_url(value, rules);
  if (!rules.secret_header(name)) return std::string(value);
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
  std::string out;
  // user:password@ in the authority.
  std::string_view rest = url;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    const std::size_t authority_start = scheme + 3;
    const std::size_t authority_end = std::min(rest.find_first_of("/?#", authority_start), rest.size());
    const std::size_t at = rest.substr(0, authority_end).rfind('@');
    out.append(rest.substr(0, authority_start));
    if (at != std::string_view::npos && at >= authority_start) {
      out.append(kRedacted);
      out += '@';
      rest = rest.substr(at + 1);
    } else {
      rest = rest.substr(authority_start);
    }
  }
  // The query, and a fragment that carries parameters (OAuth implicit flow).
  const std::size_t hash = rest.find('#');
  const std::size_t q = rest.find('?');
  if (q != std::string_view::npos && (hash == std::string_view::npos || q < hash)) {
    out.append(rest.substr(0, q + 1));
    const std::size_t end = hash == std::string_view::npos ? rest.size() : hash;
    out += redact_query_string(rest.substr(q + 1, end - q - 1), rules);
  } else {
    out.append(rest.substr(0, hash == std::string_view::npos ? rest.size() : hash));
  }
  if (hash != std::string_view::npos) {
    out += '#';
    out += redact_query_string(rest.substr(hash + 1), rules);
  }
  return out;
}

}  // namespace trafficdb
