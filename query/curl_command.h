// A curl command line that repeats a stored request (POSIX shell quoting).
#pragma once

#include <string>

#include "query/redaction.h"
#include "model/exchange.h"

namespace trafficdb {

// Headers curl sets itself or that no longer apply (Content-Length, Host
// when it matches the URL, HTTP/2 pseudo-headers, Connection and friends)
// are left out. A text body is passed with --data-raw; any other body as
// base64 piped through `base64 -d`. With `redact`, secrets are masked (the
// command then needs editing before it will authenticate).
std::string curl_command(const Exchange& exchange, bool redact,
                         const RedactionRules& rules = RedactionRules::defaults());

// 'text' for a POSIX shell.
std::string shell_quote(std::string_view text);

}  // namespace trafficdb
