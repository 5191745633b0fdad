#include "recorder/http1/body_framing.h"

#include <optional>

#include "recorder/http1/http_head.h"

namespace trafficdb {

BodyFraming body_framing(bool is_request, std::string_view version, bool body_allowed, const Headers& headers) {
  using Kind = BodyFraming::Kind;
  BodyFraming out;
  std::uint64_t length = 0;
  const std::optional<bool> chunked = chunked_is_final(headers);
  const ContentLength cl = content_length(headers, length);
  if (is_request) {
    if (chunked) {
      if (!*chunked) {
        out.kind = Kind::invalid;
        out.problem = "Transfer-Encoding without chunked last: the request's length cannot be known";
      } else {
        out.kind = Kind::chunked;
      }
    } else if (cl == ContentLength::invalid) {
      out.kind = Kind::invalid;
      out.problem = "invalid or conflicting Content-Length";
    } else if (cl == ContentLength::valid && length > 0) {
      out.kind = Kind::fixed;
      out.length = length;
    }
  } else if (version == "HTTP/0.9") {
    out.kind = Kind::until_close;
  } else if (body_allowed) {
    if (chunked) {
      out.kind = *chunked ? Kind::chunked : Kind::until_close;
    } else if (cl == ContentLength::valid) {
      out.kind = length > 0 ? Kind::fixed : Kind::none;
      out.length = length;
    } else {
      if (cl == ContentLength::invalid) out.problem = "invalid or conflicting Content-Length; body read until close";
      out.kind = Kind::until_close;
    }
  }
  return out;
}

}  // namespace trafficdb
