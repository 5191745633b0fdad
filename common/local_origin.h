// Who may talk to a local HTTP server (MCP's Streamable HTTP, the web UI):
// the browser's Origin header and the Host header a request names, checked
// against loopback names, so that another web site open in the same browser
// (cross-site requests, DNS rebinding) cannot reach the server.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trafficdb {

// http(s)://localhost, 127.0.0.1 or [::1], with or without a port.
bool is_localhost_origin(std::string_view origin);

// A localhost origin, or one of `allowed` exactly.
bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed);

// The Host header's name (port stripped, IPv6 brackets kept) is localhost,
// 127.0.0.1 or [::1], or equals `bound_host` (the address the server
// listens on, in brackets when IPv6). A server bound to every address
// (0.0.0.0, ::) accepts any name: it must rely on a token.
bool host_header_allowed(std::string_view host_header, std::string_view bound_host);

// 0.0.0.0, ::, or an address of this machine other than loopback: true
// when `host` is not 127.0.0.0/8, ::1 or localhost.
bool is_loopback_host(std::string_view host);

}  // namespace trafficdb
