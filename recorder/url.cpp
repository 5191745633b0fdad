#include "recorder/url.h"
#include "common/ascii.h"

#include <algorithm>
#include <cctype>

namespace trafficdb {
namespace {

void split_path_query(std::string_view rest, UrlParts& parts) {
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    parts.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  parts.path = rest.empty() ? "/" : std::string(rest);
}

}  // namespace

std::optional<int> default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  return std::nullopt;
}

Result<UrlParts> parse_url(std::string_view url) {
  UrlParts parts;
  if (url.empty()) return Status::error("empty URL");
  if (url.front() == '/' || url.front() == '*') {
    split_path_query(url, parts);
    return parts;
  }

  const auto colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0)
    return Status::error("not an absolute URL (no scheme://): " + std::string(url.substr(0, 200)));
  const std::string_view scheme = url.substr(0, colon);
  for (const char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return Status::error("bad URL scheme: " + std::string(scheme.substr(0, 100)));
  }
  parts.scheme = ascii_lower(scheme);

  std::string_view rest = url.substr(colon + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);

  if (const auto at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);

  std::string_view host = authority;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::error("unclosed '[' in URL host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::error("unexpected text after IPv6 host in URL");
      port_text = after.substr(1);
    }
  } else if (const auto c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port_text = authority.substr(c + 1);
  }
  if (host.empty()) return Status::error("URL has no host: " + std::string(url.substr(0, 200)));
  for (const char c : host) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '\\')
      return Status::error("URL host contains a bad character");
  }
  parts.host = ascii_lower(host);

  if (!port_text.empty()) {
    if (port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return Status::error("bad port in URL: " + std::string(port_text.substr(0, 20)));
    const int port = std::stoi(std::string(port_text));
    if (port > 65535) return Status::error("port out of range in URL: " + std::string(port_text));
    parts.port = port;
  } else {
    parts.port = default_port(parts.scheme);
  }
  split_path_query(rest, parts);
  return parts;
}

}  // namespace trafficdb
