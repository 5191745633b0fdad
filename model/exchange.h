// Exchange: one HTTP request and its response (or the reason there is none).
//
// This is the one model every source produces and the store writes. It is a
// plain value: sources fill it in, hand it to an ExchangeSink by move, and
// never touch it again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/timestamp.h"

namespace trafficdb {

struct Header {
  std::string name;
  std::string value;
  bool operator==(const Header&) const = default;
};

// Ordered as on the wire; duplicates kept.
using Headers = std::vector<Header>;

// First value of a header, compared case-insensitively; nullopt when absent.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

// A message body after transfer decoding (chunked) and content decoding
// (gzip, br, ...). `data` may be a prefix of the body when it was cut at the
// store's size cap or when the source did not capture all of it; `size` is
// the full decoded size when known.
struct Body {
  std::string data;                      // decoded bytes kept
  std::optional<std::int64_t> size;      // full decoded size; nullopt = unknown
  std::optional<std::int64_t> wire_size; // bytes as sent (before content decoding)
  std::string encoding;                  // content-encoding it arrived in ("" = identity)
  bool captured = true;                  // false when the source did not see the bytes

  // Decoded size as the store reports it: `size` if known, else the bytes kept
  // (when captured), else unknown.
  std::optional<std::int64_t> decoded_size() const {
    if (size) return size;
    if (captured) return static_cast<std::int64_t>(data.size());
    return std::nullopt;
  }
};

struct Request {
  std::string method;
  std::string url;  // as the client meant it: absolute URL
  std::string scheme;
  std::string host;
  std::optional<int> port;
  std::string path;                  // without the query string
  std::optional<std::string> query;  // after '?', without it; nullopt when absent
  std::string http_version;          // "HTTP/1.1", "HTTP/2", ...
  Headers headers;
  Body body;
  std::string mime_type;  // source's content-type hint when headers lack one
};

struct Response {
  int status = 0;
  std::string status_text;
  std::string http_version;
  Headers headers;
  Body body;
  std::string mime_type;  // source's content-type hint when headers lack one
};

// Points in time of the exchange, each optional (microseconds since epoch).
struct Timings {
  std::optional<Micros> started;           // first byte of the request
  std::optional<Micros> request_sent;      // last byte of the request
  std::optional<Micros> response_started;  // first byte of the response
  std::optional<Micros> ended;             // last byte of the response (or failure)
};

// One WebSocket message (a whole message: fragments joined, decompressed).
struct WebSocketMessage {
  enum class Sender { client, server };
  Sender sender = Sender::client;
  int opcode = 1;                  // 1 text, 2 binary, 8 close, 9 ping, 10 pong
  std::string payload;             // may be cut at the store's body cap
  std::int64_t size = 0;           // full payload size
  std::optional<Micros> at;        // when it was seen, if known
};

struct Exchange {
  Request request;
  std::optional<Response> response;  // nullopt: no response (see `error`)
  Timings timings;
  std::string client_addr;  // "ip:port" or "[v6]:port"; "" when unknown
  std::string server_addr;  // likewise
  std::string source_key;   // the source's own id for this exchange
  std::string error;        // why it is incomplete or failed; "" when it is whole
  bool tunnel = false;      // a CONNECT tunnel: its bytes are not HTTP (TLS, usually)
  std::string details;      // JSON object of source-specific facts; "" for none
  std::vector<WebSocketMessage> websocket_messages;  // after a 101 upgrade
};

}  // namespace trafficdb
