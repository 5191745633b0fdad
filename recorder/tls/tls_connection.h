// TlsConnection: one TCP connection that carries TLS, decrypted with the
// secrets of a key log and handed, as plaintext, to the handler of the
// protocol inside (HTTP/1.x or HTTP/2, chosen by ALPN).
//
// Per direction it cuts the reassembled bytes into TLS records (records
// across segments, several per segment), reads the handshake in clear
// (ClientHello: client random, SNI, ALPN offered; ServerHello: version,
// suite, ALPN), looks the connection's secrets up by its client random,
// derives the keys and opens every protected record in order (TLS 1.2
// after ChangeCipherSpec; TLS 1.3 handshake records, then traffic records
// after each side's Finished, following KeyUpdate). Handshake messages
// inside protected records are read too (TLS 1.3's EncryptedExtensions
// carries ALPN).
//
// What cannot be decrypted is said, never dropped:
//   - no keys for it (or a suite trafficdb does not decrypt, or a capture
//     that started after the handshake): the connection becomes one row,
//     like a CONNECT tunnel (tunnel, scheme https, host from SNI, addresses,
//     bytes each way, times), whose error says why;
//   - keys that do not open its records, or records lost to a gap: what was
//     decrypted before is kept (the inner handler ends its exchanges with an
//     error) and the row or the note says where it stopped.
// When keys may still come (a live capture whose clients append to the key
// log), records wait for them, bounded by TlsOptions; TlsKeyWaiters wakes
// the waiting connections when the key log grows.
//
// Memory: at most one record (2^14 + 2048 bytes of ciphertext) per
// direction being assembled, plus what waits for keys (max_held_bytes).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "recorder/pcap/tcp_reassembler.h"
#include "recorder/tls/key_log.h"
#include "recorder/tls/tls_facts.h"

namespace trafficdb {

class CaptureOutput;

struct TlsOptions {
  // Records may wait for keys that are not in the key log yet (live capture).
  bool wait_for_keys = false;
  std::size_t max_held_bytes = 4u << 20;    // per connection
  std::size_t max_held_total = 64u << 20;   // over all connections
  Micros max_hold = 30'000'000;           // of capture time
};

// Builds the handler for the plaintext: `info` names the client as the
// originator (saw_syn true), whatever the capture saw.
using PlaintextHandlerFactory =
    std::function<std::unique_ptr<StreamHandler>(const ConnectionInfo& info, const TlsFacts& facts)>;

struct TlsCounts {
  std::uint64_t connections = 0;
  std::uint64_t decrypted = 0;     // every record opened
  std::uint64_t without_keys = 0;  // no secrets in the key log, or an unsupported suite
  std::uint64_t failed = 0;        // keys did not open its records, or records were lost
  // The connections without keys or failed, by server name (SNI, else the
  // server's address); past kMaxServersNamed names the rest are counted
  // under kOtherServers.
  static constexpr std::size_t kMaxServersNamed = 256;
  static constexpr const char* kOtherServers = "(other servers)";
  std::map<std::string, std::uint64_t> not_decrypted_by_server;
};

// The state every TLS connection of a capture shares: the key log, the
// options, the counts, and the connections waiting for keys — also those
// whose TCP connection already ended (a client is often done before its
// keys reach the file): they are kept here until their keys come, their
// wait runs out, or the capture ends.
class TlsContext {
 public:
  TlsContext(const KeyLog& keys, TlsOptions options, PlaintextHandlerFactory inner, CaptureOutput& output);
  ~TlsContext();

  // The handler the reassembler gets for a connection that carries TLS.
  std::unique_ptr<StreamHandler> open(const ConnectionInfo& info);

  // The key log grew: connections waiting for keys try again.
  void keys_arrived(Micros at);
  // Connections that waited longer than max_hold give up.
  void expire(Micros now);
  // The capture ended: every connection still waiting gives up.
  void finish(Micros at);

  const TlsCounts& counts() const { return counts_; }

 private:
  friend class TlsConnection;
  class Handle;
  const KeyLog& keys_;
  const TlsOptions options_;
  PlaintextHandlerFactory inner_;
  CaptureOutput& output_;
  TlsCounts counts_;
  std::size_t held_total_ = 0;  // bytes of records waiting for keys, all connections
  std::set<class TlsConnection*> waiting_;
  std::map<TlsConnection*, std::shared_ptr<TlsConnection>> closed_waiting_;
};

class TlsConnection final : public StreamHandler {
 public:
  TlsConnection(const ConnectionInfo& info, TlsContext& context);
  ~TlsConnection() override;

  void on_data(Side side, std::string_view bytes, Micros at) override;
  void on_gap(Side side, std::uint64_t length, Micros at) override;
  void on_end(Side side, StreamEnd how, Micros at) override;
  void on_close(Micros at) override;

  // Looks for the keys again (TlsContext::keys_arrived); gives up when the
  // wait is over (`expired`).
  void retry_keys(Micros at, bool expired = false);
  // True after on_close while it still waits for keys: its end is replayed
  // to the handler inside once they come.
  bool close_deferred() const;

 private:
  struct Direction;
  struct State;
  void read_records(Side side, Micros at);
  void on_record(Side side, std::uint8_t type, std::uint16_t version, std::string_view fragment, Micros at);
  void on_plain_handshake(Side side, std::uint8_t type, std::string_view body, Micros at);
  void on_protected_handshake(Side side, std::uint8_t type, std::string_view body);
  void open_record(Side side, std::uint8_t type, std::uint16_t version, std::string_view fragment, Micros at);
  void deliver(Side side, std::string_view plaintext, Micros at);
  bool find_keys(Micros at);
  bool start_tls13_direction(Side side, const std::string& secret);
  void start_inner();
  void release_held();
  void give_up(std::string why, bool keys_missing, Micros at);
  void emit_undecrypted_row(Micros at);
  void count_not_decrypted();
  void finish_close(Micros at);
  Side client() const;

  const ConnectionInfo info_;
  TlsContext& context_;
  std::unique_ptr<State> state_;
};

}  // namespace trafficdb
