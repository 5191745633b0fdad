// How an HTTP/1.x message's body is delimited (RFC 9112 §6.3), decided from
// its head alone: chunked (with trailers) wins over Content-Length; else
// Content-Length; else a response is read until the connection closes and a
// request has no body. HTTP/0.9 responses run until close.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/exchange.h"

namespace trafficdb {

struct BodyFraming {
  enum class Kind {
    none,         // no body
    fixed,        // `length` bytes
    chunked,
    until_close,  // until the connection ends
    invalid,      // the request's length cannot be known: `problem` says why
  } kind = Kind::none;
  std::uint64_t length = 0;
  // invalid: why; until_close: a caveat to keep on the message ("" for none).
  std::string problem;
};

// `body_allowed`: false for responses that never have a body whatever the
// headers say (to HEAD, 1xx, 204, 304); ignored for requests.
BodyFraming body_framing(bool is_request, std::string_view version, bool body_allowed, const Headers& headers);

}  // namespace trafficdb
