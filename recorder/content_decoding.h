// Content decoding (RFC 9110 §8.4): undoing Content-Encoding on a body.
//
// Supports gzip / x-gzip (several members), deflate (zlib-wrapped, and the raw
// form some servers send), br, zstd and identity, and lists of them
// ("gzip, br" is decoded br first). Output is capped: a body that decodes to
// more than `max_output` bytes is cut there and marked truncated, so a
// decompression bomb costs at most the cap in memory and bounded time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace trafficdb {

struct DecodedBody {
  std::string data;
  bool truncated = false;   // output reached max_output and was cut
  bool incomplete = false;  // the compressed stream ended early: data is what it held
};

// True when `encoding` (a Content-Encoding header value) names only codings
// this module can undo (or none at all).
bool is_supported_content_encoding(std::string_view encoding);

// True when `encoding` is empty or only "identity".
bool is_identity_encoding(std::string_view encoding);

// Decodes `input` per `encoding`. Fails, saying which coding and why, on an
// unknown coding or corrupt data. A stream that simply ends early (a body
// cut short) is not a failure: it yields what decoded, marked incomplete.
Result<DecodedBody> decode_content(std::string_view encoding, std::string_view input,
                                   std::size_t max_output);

}  // namespace trafficdb
