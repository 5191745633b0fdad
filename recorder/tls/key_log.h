// KeyLog: TLS secrets by connection, read from NSS key log text — what
// SSLKEYLOGFILE makes curl, browsers, Python and others write, what Node's
// --tls-keylog and Go's KeyLogWriter write, and what a pcapng's Decryption
// Secrets Block carries.
//
// Each line is `LABEL <client_random, 64 hex digits> <secret, hex>`; `#`
// lines are comments. The client random (from the ClientHello) ties a line
// to a connection. Labels read: CLIENT_RANDOM (TLS 1.0-1.2 master secret,
// 48 bytes) and TLS 1.3's CLIENT_/SERVER_HANDSHAKE_TRAFFIC_SECRET and
// CLIENT_/SERVER_TRAFFIC_SECRET_0. Other labels (exporter and early secrets,
// old RSA lines) are counted and skipped; a malformed line is counted and
// skipped, never fatal. A later line for the same connection and label wins.
//
// Bounded: at most max_connections connections are kept (past that, the
// oldest are forgotten first); a line longer than 1 KiB is malformed.
// Not thread-safe: one reader at a time (the capture thread).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace trafficdb {

using ClientRandom = std::array<std::uint8_t, 32>;

struct TlsSecrets {
  std::string master_secret;             // TLS <= 1.2 (48 bytes)
  std::string client_handshake_secret;   // TLS 1.3
  std::string server_handshake_secret;
  std::string client_traffic_secret_0;
  std::string server_traffic_secret_0;

  bool has_tls12() const { return !master_secret.empty(); }
  bool has_tls13_handshake() const { return !client_handshake_secret.empty() && !server_handshake_secret.empty(); }
  bool has_tls13_traffic() const { return !client_traffic_secret_0.empty() && !server_traffic_secret_0.empty(); }
};

struct KeyLogCounts {
  std::uint64_t lines = 0;      // secret lines taken
  std::uint64_t skipped = 0;    // lines with a label trafficdb does not use
  std::uint64_t malformed = 0;  // lines that are not `LABEL hex hex`
  std::uint64_t forgotten = 0;  // connections dropped to stay within max_connections
};

class KeyLog {
 public:
  explicit KeyLog(std::size_t max_connections = 1'000'000) : max_connections_(max_connections) {}

  // Reads whole lines from `text`. A last line without its newline is taken
  // too when `final` is true, else left: the return value is how many bytes
  // were consumed (the caller keeps the rest for the next call).
  std::size_t add_text(std::string_view text, bool final = true);

  // The secrets known for `random`, or nullptr.
  const TlsSecrets* find(const ClientRandom& random) const;

  std::size_t connections() const { return secrets_.size(); }
  const KeyLogCounts& counts() const { return counts_; }
  // Grows by one each time a line is taken: a reader can tell whether
  // anything new arrived since it last looked.
  std::uint64_t generation() const { return counts_.lines; }

 private:
  struct RandomHash {
    std::size_t operator()(const ClientRandom& r) const noexcept;
  };
  void add_line(std::string_view line);

  std::size_t max_connections_;
  std::unordered_map<ClientRandom, TlsSecrets, RandomHash> secrets_;
  std::deque<ClientRandom> order_;  // first-seen order, for forgetting the oldest
  KeyLogCounts counts_;
};

// Hex text to bytes; false when `hex` is not an even number of hex digits.
bool decode_hex(std::string_view hex, std::string& out);

}  // namespace trafficdb
