// Splitting an absolute URL (or an origin-form request target) into the
// parts the exchanges table stores.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace trafficdb {

struct UrlParts {
  std::string scheme;                // lower-case; "" for origin-form
  std::string host;                  // lower-case; IPv6 without brackets
  std::optional<int> port;           // explicit port, else the scheme's default
  std::string path;                  // "/" when empty; no query, no fragment
  std::optional<std::string> query;  // after '?', nullopt when there is no '?'
};

// Accepts "scheme://[userinfo@]host[:port][/path][?query][#fragment]" and
// "/path?query" (origin-form, no scheme or host). Fails on anything else
// (empty text, a bad port, a host with spaces, ...).
Result<UrlParts> parse_url(std::string_view url);

// The default port of http/https/ws/wss; nullopt for other schemes.
std::optional<int> default_port(std::string_view scheme);

}  // namespace trafficdb
