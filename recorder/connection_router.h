// ConnectionRouter: what a TCP connection carries, recognised by its first
// bytes on any port (tshark goes by port, and finds nothing on a TLS server
// at 8443 or an h2c one at 8080):
//   - a TLS record (a handshake, or application data when the capture began
//     mid-connection) -> TlsConnection, whose plaintext goes by ALPN to
//     Http2Connection ("h2") or HttpConnection (anything else);
//   - the HTTP/2 connection preface (h2c with prior knowledge) ->
//     Http2Connection;
//   - anything else -> HttpConnection, which drops what is not HTTP/1.x.
// Until it can tell, it holds the first bytes (an HTTP/2 server may send its
// SETTINGS before the client's preface is in the capture; at most 64 KiB)
// and then hands them to the handler it chose.
#pragma once

#include "recorder/capture_output.h"
#include "recorder/http1/http_connection.h"
#include "recorder/http2/http2_connection.h"
#include "recorder/pcap/tcp_reassembler.h"
#include "recorder/tls/tls_connection.h"

namespace trafficdb {

struct ConnectionProtocols {
  const HttpCaptureOptions* http = nullptr;
  const Http2Options* http2 = nullptr;
  TlsContext* tls = nullptr;  // null: TLS connections are not decrypted (each is one row)
  BodyBudget* budget = nullptr;
  CaptureOutput* output = nullptr;
};

// The factory the reassembler calls for each new connection.
StreamHandlerFactory connection_router_factory(const ConnectionProtocols& protocols);

// The handler for the plaintext inside a TLS connection, by ALPN.
PlaintextHandlerFactory tls_plaintext_factory(const ConnectionProtocols& protocols);

}  // namespace trafficdb
