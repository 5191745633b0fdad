// Path templates: the endpoint a request path belongs to, with the parts that
// vary per call (ids, UUIDs, hashes, tokens, dates) replaced by placeholders:
//
//   /users/123/orders/9f8e2a6e-1b2c-4d5e-8f90-123456789abc -> /users/{id}/orders/{uuid}
//
// The path is split on '/'; each segment is judged on its own bytes (not
// percent-decoded), first rule that fits:
//
//   {id}     ASCII digits only:                        123, 0042
//   {uuid}   8-4-4-4-12 hex digits with dashes:        9f8e2a6e-1b2c-4d5e-8f90-123456789abc
//   {date}   YYYY-MM-DD (month 01-12, day 01-31):      2026-01-15
//   {hex}    hex digits only, and either at least 16 of them, or at least 8
//            with at least one digit and one letter:   deadbeefcafef00d, a1b2c3d4
//            (so words made of a-f, "facade", "decade", stay)
//   {token}  a JWT (eyJ..., three dot-separated base64url parts), or at least
//            20 bytes of [A-Za-z0-9_-] (and '=' padding at the end) with a
//            digit and a letter and either both letter cases or no '-'/'_'
//            at all: base64/base62 ids and opaque keys, but not slugs such as
//            how-to-build-a-2026-release
//
// Everything else stays as it was: words (api, v1, users, me), file names,
// empty segments ("//" stays "//"), percent-escapes, non-ASCII and any other
// byte. Anything from the first '?' or '#' on is dropped (the query string is
// not part of an endpoint; the store's `path` column has none).
//
// Cost and bounds: one pass over the bytes, no regex, no allocation besides
// the result (at most the input's size plus the placeholders' few bytes per
// segment); any input is safe, including megabytes and binary bytes.
#pragma once

#include <string>
#include <string_view>

namespace trafficdb {

std::string path_template(std::string_view path);

// The placeholder for one segment ("{id}", "{uuid}", ...), or "" when the
// segment stays as it is.
std::string_view segment_placeholder(std::string_view segment);

}  // namespace trafficdb
