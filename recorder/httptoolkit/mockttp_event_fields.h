// Reading the fields of one Mockttp event into the pieces of an Exchange.
//
// Mockttp's admin API (see ../shared/notes/httptoolkit.md) sends each event
// as a GraphQL object whose `Json` fields (rawHeaders, rawTrailers,
// timingEvents, tlsMetadata, error) are JSON-encoded *strings*, and whose
// `Buffer` fields (body, content) are base64 of the bytes as they were on
// the wire, still content-encoded. These helpers undo both, leniently: a
// field of the wrong type or that does not parse is ignored, with a caveat
// (a sentence naming it) appended for the caller to keep with the exchange.
//
// Strings the event reader cut at its limit (a giant body) are named in
// `EventCuts` by JSON pointer relative to the event; a cut body keeps the
// bytes it holds and says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/exchange.h"
#include "recorder/export_fields.h"

namespace trafficdb::mockttp {

// JSON pointer (relative to the event, e.g. "/body") -> the string's length
// before it was cut.
using EventCuts = std::vector<std::pair<std::string, std::uint64_t>>;

// The length the event's string at `pointer` had before it was cut, if it was.
std::optional<std::uint64_t> cut_of(const EventCuts& cuts, std::string_view pointer);

// A `Json` field: the JSON text Mockttp sends as a string, parsed (a value
// sent already parsed is taken as it is). nullopt when absent or null, or
// unreadable (with a caveat).
std::optional<nlohmann::json> json_field(const nlohmann::json& event, const char* key, const char* where,
                                         Caveats& caveats);

// `rawHeaders` / `rawTrailers`: [[name, value], ...] in wire order with
// duplicates kept. Empty when absent.
Headers raw_headers(const nlohmann::json& event, const char* key, const char* where, Caveats& caveats);

// `timingEvents`: an epoch start in milliseconds (`startTime`) and
// high-resolution milliseconds on another clock for everything after, all
// relative to `startTimestamp` (requests) or `connectTimestamp` (TLS
// connections).
class TimingEvents {
 public:
  TimingEvents() = default;
  static TimingEvents read(const nlohmann::json& event, const char* where, Caveats& caveats);

  std::optional<Micros> start() const { return start_; }
  // The time of the named high-resolution key ("responseSentTimestamp"), if set.
  std::optional<Micros> at(const char* key) const;
  // The time of a high-resolution timestamp on the same clock (eventTimestamp).
  std::optional<Micros> at_timestamp(double timestamp) const;
  // What Mockttp sent, for the exchange's details; null when none.
  const nlohmann::json& raw() const { return raw_; }

 private:
  nlohmann::json raw_;
  std::optional<Micros> start_;
  std::optional<double> base_;  // startTimestamp / connectTimestamp
};

// A `Buffer` field (`body`, `content`): base64 of the wire bytes. Decodes
// the base64, then the `content_encoding` (as the message's Content-Encoding
// header names it), keeping at most max_body_bytes decoded. `wire_size` is
// exact unless the event reader cut the string; then the message's
// Content-Length (when given) stands in. `which` names the body in caveats.
Body wire_body(const nlohmann::json& event, const char* key, const EventCuts& cuts, const Headers& headers,
               std::uint64_t max_body_bytes, const char* which, Caveats& caveats);

// The raw bytes of a `Buffer` field, for WebSocket messages: base64-decoded,
// cut at max_bytes. `size` gets the full size (estimated from the base64
// length when the reader cut the string).
std::string buffer_bytes(const nlohmann::json& event, const char* key, const EventCuts& cuts,
                         std::uint64_t max_bytes, std::int64_t& size, const char* which, Caveats& caveats);

// Mockttp's "1.1" / "2.0" as the store writes versions: "HTTP/1.1", "HTTP/2".
std::string http_version(std::string_view mockttp_version);

// "ip:port" or "[v6]:port" from remoteIpAddress/remotePort; IPv4-mapped IPv6
// addresses (::ffff:127.0.0.1) are written as IPv4. "" when unknown.
std::string client_address(const nlohmann::json& event);

// Where Mockttp sent the request: `destination { hostname port }`.
struct Destination {
  std::string hostname;
  std::optional<int> port;  // nullopt when absent or not a port
  std::string text() const;  // "host:port" ("[v6]:port")
};
std::optional<Destination> destination_of(const nlohmann::json& event);

// destination_of(event)->text(); "" when absent.
std::string destination_text(const nlohmann::json& event);

// The destination as a server address, only when its hostname is an IP
// literal (Mockttp does not say which address a name resolved to); else "".
std::string destination_address(const nlohmann::json& event);

// Sets method, URL (and its parts), version and headers of `request` from a
// request-shaped event (requestReceived, requestAborted, webSocketRequest,
// failedClientRequest.request). A URL that does not parse is kept as it is,
// its path taken from the event's `path`.
void read_request_head(const nlohmann::json& event, Request& request, Caveats& caveats);

// Sets status, reason and headers of `response` from a response-shaped event
// (responseCompleted, webSocketAccepted, failedClientRequest.response).
void read_response_head(const nlohmann::json& event, Response& response, Caveats& caveats);

// The string array `tags`, in order; ignores anything else.
std::vector<std::string> tags_of(const nlohmann::json& event);

}  // namespace trafficdb::mockttp
