// The request a replay sends: a stored exchange's request with the caller's
// changes applied, made fit to send again over HTTP/1.1.
//
// Starting from the stored request (method, URL, headers in order, decoded
// body), the changes replace the method, the URL, headers by name (a set
// header replaces every header of that name, a removed one goes), and the
// body. Then what belonged to the original connection goes: HTTP/2 pseudo
// headers (":authority" ...), hop-by-hop headers (Connection, Keep-Alive,
// Transfer-Encoding, TE, Trailer, Upgrade, Proxy-*), Content-Length (sent
// for the body as it is now) and the stored Content-Encoding (stored bodies
// are decoded and sent as they are, like a body given; a Content-Encoding
// the changes set is sent).
// Host is taken from the URL unless a change sets it; HTTP/2's split Cookie
// headers are joined into one.
//
// Errors (invalid_input) say what is wrong: a URL that is not absolute
// http(s), a bad method or header name, a stored body that is incomplete (cut
// at the store's cap or not captured) when the changes do not give one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/exchange.h"

namespace trafficdb {

struct ReplayChanges {
  std::optional<std::string> method;
  std::optional<std::string> url;           // absolute http:// or https:// URL
  Headers set_headers;                      // each replaces all headers of its name
  std::vector<std::string> remove_headers;  // names, case-insensitive
  std::optional<std::string> body;          // the bytes to send instead of the stored body

  bool empty() const {
    return !method && !url && set_headers.empty() && remove_headers.empty() && !body;
  }
};

// The request to send (http_version "HTTP/1.1"; body.data the bytes to send).
Result<Request> replay_request(const Request& stored, const ReplayChanges& changes);

// "Name: value" as a header; invalid_input when there is no colon or the
// name is not a token.
Result<Header> parse_header_line(const std::string& line);

}  // namespace trafficdb
