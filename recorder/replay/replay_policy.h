// What a replay may do without asking: the safety rules shared by
// `trafficdb replay` and the MCP tool replay_exchange.
//
// - Target: the original's origin (scheme, host and port) unless the host
//   matches one of `allowed_hosts`: an exact host ("api.example.com"), a
//   domain and its subdomains ("*.example.com"), or "*" (any host).
// - Method: GET, HEAD and OPTIONS are sent as they are; any other method
//   (it may change something on the server) needs `confirmed`.
//
// A refusal is Status::invalid_input with what to do about it.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "model/exchange.h"

namespace trafficdb {

struct ReplayPolicy {
  std::vector<std::string> allowed_hosts;  // patterns as above; empty: only the original's origin
  bool confirmed = false;                  // the caller allows methods other than GET, HEAD, OPTIONS
};

// `target` is the request about to be sent (replay_request.h), `original`
// the stored one it was made from. `confirm_hint` and `allow_hint` name how
// the caller's user gives confirmation or allows a host ("--confirm",
// "confirm: true"), for the messages.
Status check_replay_allowed(const Request& original, const Request& target, const ReplayPolicy& policy,
                            const std::string& confirm_hint, const std::string& allow_hint);

// True when `host` matches `pattern` (see above; case-insensitive).
bool host_matches(const std::string& pattern, const std::string& host);

}  // namespace trafficdb
