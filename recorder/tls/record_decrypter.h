// TLS key schedules and record decryption, with OpenSSL's libcrypto (EVP
// ciphers, the TLS1-PRF and HKDF KDFs, HMAC); nothing here is hand-written
// cryptography.
//
// RecordDecrypter opens the records of one direction of one connection, in
// order: it counts their sequence numbers itself, so it must see every
// protected record of its direction from the first one under its keys. A
// record that does not open (a wrong key, a record lost or damaged) fails
// with Status::corrupt, and every later one fails too: with AEAD suites a
// lost record desynchronises the nonces.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "recorder/tls/cipher_suite.h"

namespace trafficdb {

// TLS protocol versions as they appear on the wire.
inline constexpr std::uint16_t kTls10 = 0x0301, kTls11 = 0x0302, kTls12 = 0x0303, kTls13 = 0x0304;

// What protects the records of one direction.
struct DirectionKeys {
  std::string key;
  std::string iv;       // AEAD: the implicit (salt) or full nonce IV; TLS 1.0 CBC: the first IV
  std::string mac_key;  // CBC suites
};

// TLS 1.0-1.2: both directions' keys (client's first) from the master
// secret and the two hello randoms.
Result<std::pair<DirectionKeys, DirectionKeys>> tls12_direction_keys(const CipherSuite& suite, std::uint16_t version,
                                                                     std::string_view master_secret,
                                                                     std::string_view client_random,
                                                                     std::string_view server_random);

// TLS 1.3: one direction's keys from one of its traffic secrets.
Result<DirectionKeys> tls13_direction_keys(const CipherSuite& suite, std::string_view traffic_secret);

// TLS 1.3 KeyUpdate: the next traffic secret after `secret`.
Result<std::string> tls13_next_traffic_secret(const CipherSuite& suite, std::string_view secret);

// HKDF-Expand-Label (RFC 8446 §7.1) with `digest` ("SHA256", "SHA384").
Result<std::string> hkdf_expand_label(std::string_view digest, std::string_view secret, std::string_view label,
                                      std::string_view context, std::size_t length);

class RecordDecrypter {
 public:
  // `version`: the negotiated version (kTls10 .. kTls13).
  // `encrypt_then_mac`: both hellos carried the extension (CBC suites only).
  static Result<std::unique_ptr<RecordDecrypter>> create(const CipherSuite& suite, std::uint16_t version,
                                                         const DirectionKeys& keys, bool encrypt_then_mac);
  ~RecordDecrypter();
  RecordDecrypter(const RecordDecrypter&) = delete;
  RecordDecrypter& operator=(const RecordDecrypter&) = delete;

  // Opens one record: `type` and `legacy_version` from its header,
  // `fragment` the bytes after the header. On success `plaintext` holds the
  // content, and with TLS 1.3 `type` becomes the inner content type.
  Status open(std::uint8_t& type, std::uint16_t legacy_version, std::string_view fragment, std::string& plaintext);

  std::uint64_t records_opened() const { return sequence_; }

 private:
  struct Impl;
  explicit RecordDecrypter(std::unique_ptr<Impl> impl);
  Status open_aead(std::uint8_t& type, std::uint16_t legacy_version, std::string_view fragment,
                   std::string& plaintext);
  Status open_cbc(std::uint8_t type, std::uint16_t legacy_version, std::string_view fragment,
                  std::string& plaintext);

  std::unique_ptr<Impl> impl_;
  std::uint64_t sequence_ = 0;
};

}  // namespace trafficdb
