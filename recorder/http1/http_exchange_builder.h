// Turning a request and its response, as read off a connection (HTTP/1.x,
// or an HTTP/2 stream), into the Exchange the store keeps: the absolute URL
// (from the target and Host, or the TLS server name, or the server's
// address), bodies with their content coding undone (capped),
// timings from packet times, addresses, and what went wrong.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/exchange.h"
#include "recorder/http1/http_message.h"
#include "recorder/pcap/ip_endpoint.h"
#include "recorder/tls/tls_facts.h"

namespace trafficdb {

// An informational (1xx) response that came before the final one.
struct InformationalResponse {
  int status = 0;
  std::string reason;
  Micros at = 0;
};

struct CapturedExchange {
  Endpoint client, server;
  HttpMessage* request = nullptr;   // nullptr: the capture holds no request
  HttpMessage* response = nullptr;  // nullptr: no response
  std::vector<InformationalResponse> informational;
  std::string protocol_switch;  // "websocket", "h2c", ... after a 101; "" otherwise
  std::string source_key;
  std::string error;  // the connection's reason, when there is no response
  const TlsFacts* tls = nullptr;   // the connection was TLS, decrypted: scheme https, details.tls
  std::uint32_t http2_stream = 0;  // HTTP/2: the stream's id (details.stream)
  bool pushed = false;             // HTTP/2: a server push
};

// Moves the messages' headers and bodies into the exchange. `caveats` gets
// a sentence for every body that was cut or could not be decoded (the
// importer reports them).
Exchange build_exchange(CapturedExchange& captured, std::size_t max_body_bytes, std::vector<std::string>& caveats);

}  // namespace trafficdb
