// The TLS handshake messages trafficdb reads to decrypt a connection, and
// the reader that cuts a direction's handshake bytes into messages.
//
// From the ClientHello: the client random (which ties the connection to its
// key log lines), the server name (SNI) and the ALPN protocols offered.
// From the ServerHello: the server random, the version (supported_versions
// wins over the legacy field), the cipher suite, ALPN (TLS 1.2) and the
// encrypt-then-MAC extension; a HelloRetryRequest is recognised. From TLS
// 1.3's EncryptedExtensions: ALPN. Parsing is bounds-checked throughout: a
// malformed message fails with Status::invalid_input, nothing is read past
// its end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace trafficdb {

namespace tls_handshake_type {
inline constexpr std::uint8_t client_hello = 1, server_hello = 2, new_session_ticket = 4,
                              encrypted_extensions = 8, certificate = 11, finished = 20, key_update = 24;
}

struct ClientHello {
  std::string random;  // 32 bytes
  std::string server_name;
  std::vector<std::string> alpn;
  bool encrypt_then_mac = false;
};

struct ServerHello {
  std::string random;  // 32 bytes
  std::uint16_t version = 0;  // negotiated
  std::uint16_t cipher_suite = 0;
  std::string alpn;           // TLS 1.2 (1.3 says it in EncryptedExtensions)
  bool encrypt_then_mac = false;
  bool hello_retry_request = false;  // a second ClientHello follows
};

Result<ClientHello> parse_client_hello(std::string_view body);
Result<ServerHello> parse_server_hello(std::string_view body);
// The protocol ALPN chose, "" when the extension is absent.
Result<std::string> parse_encrypted_extensions_alpn(std::string_view body);

// Cuts one direction's handshake bytes (the content of handshake records, in
// order) into messages. Messages longer than max_message_bytes (a large
// certificate chain) are passed over: on_message gets their type and an
// empty body, with `whole` false.
class HandshakeReader {
 public:
  using OnMessage = std::function<void(std::uint8_t type, std::string_view body, bool whole)>;
  explicit HandshakeReader(OnMessage on_message, std::size_t max_message_bytes = 64u << 10)
      : on_message_(std::move(on_message)), max_message_bytes_(max_message_bytes) {}

  void feed(std::string_view bytes);

 private:
  OnMessage on_message_;
  std::size_t max_message_bytes_;
  std::string pending_;           // an incomplete message (header included)
  std::uint64_t skipping_ = 0;    // bytes of an overlong message still to pass over
};

}  // namespace trafficdb
