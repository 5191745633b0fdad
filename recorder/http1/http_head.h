// Reading the head of an HTTP/1.x message (RFC 9112 §2-5) tolerantly: the
// start line, the header fields, and the facts that decide how its body is
// framed (§6.3).
//
// Tolerant as servers and clients are in practice: bare LF line ends, any
// amount of whitespace between the parts of the start line, obsolete line
// folding (joined with one space), header lines without a colon (skipped),
// lower-case and non-standard methods. Strict where a mistake would misframe
// the stream: a Content-Length that is not one decimal number, or several
// that disagree, is invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/exchange.h"

namespace trafficdb {

struct RequestLine {
  std::string method;
  std::string target;
  std::string version;  // "HTTP/1.1"; "HTTP/0.9" for a request line without one
};

struct StatusLine {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
};

// `line` without its line end. Fails (nullopt) when it is not a request line:
// a method that is not an RFC 9110 token of at most 64 characters, a target
// with control characters or spaces, a version that is not HTTP/d.d. A line of
// just "GET target" is an HTTP/0.9 request.
std::optional<RequestLine> parse_request_line(std::string_view line);

// A request line that breaks the grammar in ways servers still accept: a
// cut or malformed version ("HTTP/1."), no version with a method other than
// GET (HTTP/0.9 style), extra text after the version (CONNECT host:443
// HTTP/1.1 x), no space between the method and the target or between the
// target and the version. The line read (a malformed version read as
// HTTP/1.1) and what was wrong with it; nullopt when it is no request line
// at all: the method must be upper-case letters (at most 20) and the target
// must look like one (/path, *, an absolute URL, or CONNECT's host:port).
struct MalformedRequestLine {
  RequestLine line;
  std::string problem;
};
std::optional<MalformedRequestLine> parse_malformed_request_line(std::string_view line);

// "HTTP/d.d ddd[ reason]"; nullopt otherwise.
std::optional<StatusLine> parse_status_line(std::string_view line);

// Whether `bytes`, the first bytes of a stream (maybe only a few), can be
// the start of a request line / status line. Decides early that a stream is
// not HTTP (TLS, SSH, ...) without waiting for a whole line.
bool could_start_request(std::string_view bytes);
bool could_start_response(std::string_view bytes);

// The header lines of a head (after the start line, up to but excluding the
// blank line), in order, obs-fold joined. Lines without a colon are skipped.
Headers parse_header_lines(std::string_view lines);

// The position just past the blank line that ends a head in `buffer`,
// searching from `from`; npos when it has not arrived yet.
std::size_t find_head_end(std::string_view buffer, std::size_t from);

// The next line of `text` starting at `pos`: the line without its end, and
// `pos` moved past the LF. nullopt when no LF follows.
std::optional<std::string_view> next_line(std::string_view text, std::size_t& pos);

enum class ContentLength { absent, valid, invalid };
// All Content-Length fields (a comma-separated list counts as several) must
// hold the same decimal number below 2^62.
ContentLength content_length(const Headers& headers, std::uint64_t& length);

// Whether the last transfer coding of the Transfer-Encoding fields is
// chunked; nullopt when there is no Transfer-Encoding at all.
std::optional<bool> chunked_is_final(const Headers& headers);

// A chunk-size line (hex digits, then optional extensions). nullopt when it
// has no digits or the size does not fit in 60 bits.
std::optional<std::uint64_t> parse_chunk_size(std::string_view line);

}  // namespace trafficdb
