#include "recorder/replay/replay_policy.h"

#include "common/ascii.h"
#include "recorder/url.h"

namespace trafficdb {
namespace {

std::string origin_of(const std::string& scheme, const std::string& host, std::optional<int> port) {
  const std::optional<int> p = port ? port : default_port(scheme);
  return scheme + "://" + host + (p ? ":" + std::to_string(*p) : "");
}

}  // namespace

bool host_matches(const std::string& pattern, const std::string& host) {
  const std::string p = ascii_lower(pattern), h = ascii_lower(host);
  if (p == "*") return true;
  if (p.rfind("*.", 0) == 0) {
    const std::string domain = p.substr(2);
    return h == domain || (h.size() > domain.size() && h.compare(h.size() - domain.size(), domain.size(), domain) == 0 &&
                           h[h.size() - domain.size() - 1] == '.');
  }
  return p == h;
}

Status check_replay_allowed(const Request& original, const Request& target, const ReplayPolicy& policy,
                            const std::string& confirm_hint, const std::string& allow_hint) {
  const std::string from = origin_of(ascii_lower(original.scheme), ascii_lower(original.host), original.port);
  const std::string to = origin_of(target.scheme, target.host, target.port);
  if (from != to) {
    bool allowed = false;
    for (const std::string& pattern : policy.allowed_hosts) allowed = allowed || host_matches(pattern, target.host);
    if (!allowed)
      return Status::invalid_input("replay goes only to the original's origin " + from + ", not " + to +
                                   "; other hosts must be allowed with " + allow_hint);
  }
  const bool safe = target.method == "GET" || target.method == "HEAD" || target.method == "OPTIONS";
  if (!safe && !policy.confirmed)
    return Status::invalid_input(target.method + " may change something on the server: replaying it needs " +
                                 confirm_hint + " (GET, HEAD and OPTIONS do not)");
  return Status::ok();
}

}  // namespace trafficdb
