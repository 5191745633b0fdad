// TlsFacts: what a decrypted TLS connection says about itself, for the
// handler of the protocol inside and the exchanges it builds (scheme https,
// the host when a request does not say it, `details.tls`).
#pragma once

#include <string>

namespace trafficdb {

struct TlsFacts {
  std::string server_name;   // SNI; "" when the client sent none
  std::string alpn;          // "h2", "http/1.1", or "" when not negotiated
  std::string version;       // "TLS 1.2", "TLS 1.3"
  std::string cipher_suite;  // IANA name
};

}  // namespace trafficdb
