// The state of a TlsConnection, shared by the files that implement it
// (tls_connection.cpp: records, hand-over, the end; tls_connection_keys.cpp:
// handshake and keys). Not for anyone else.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "recorder/tls/cipher_suite.h"
#include "recorder/tls/handshake.h"
#include "recorder/tls/record_decrypter.h"
#include "recorder/tls/tls_connection.h"

namespace trafficdb {

struct TlsConnection::Direction {
  std::string partial;  // an incomplete record, header included
  std::unique_ptr<HandshakeReader> plain_handshake, protected_handshake;
  std::unique_ptr<RecordDecrypter> decrypter;
  bool protected_records = false;  // TLS 1.2: after ChangeCipherSpec
  std::string secret;              // TLS 1.3: this direction's current traffic secret
  bool finished_read = false;      // TLS 1.3: its Finished was read; traffic secret 0 follows
  bool key_update_read = false;
  bool stopped = false;            // a gap or a record that did not open: nothing more decrypts
  std::uint64_t wire_bytes = 0;
};

struct TlsConnection::State {
  Direction dir[2];
  std::optional<Side> client_side;
  std::optional<ClientHello> client_hello;
  std::optional<ServerHello> server_hello;
  std::optional<CipherSuite> suite;
  bool tls13 = false;
  enum class Phase { handshake, waiting_for_keys, decrypting, undecryptable } phase = Phase::handshake;
  std::string problem;       // why it is not (or no longer) decrypted
  bool keys_missing = false;  // the problem is that the key log has nothing for it
  std::unique_ptr<StreamHandler> inner;
  TlsFacts facts;
  struct Held {
    Side side;
    std::uint8_t type;
    std::uint16_t version;
    std::string fragment;
    Micros at;
  };
  std::deque<Held> held;  // protected records waiting for keys, both directions in capture order
  std::size_t held_bytes = 0;
  Micros hold_since = 0;
  Micros first_at = 0, last_at = 0;
  // The TCP connection ended while keys were awaited: replayed once they come.
  std::optional<Micros> closed_at;
  std::uint64_t plaintext_bytes = 0;  // handed to the handler inside
  std::vector<std::pair<Side, StreamEnd>> ends;
};

}  // namespace trafficdb
