// The TLS cipher suites trafficdb decrypts, by their IANA number: which
// record protection each uses and which hash its key schedule uses.
//
// TLS 1.2: AES-128/256-GCM and ChaCha20-Poly1305 (AEAD), and AES-128/256-CBC
// with HMAC-SHA1/SHA256/SHA384 (MAC-then-encrypt, or encrypt-then-MAC when
// both sides agreed to it). TLS 1.3: AES-128-GCM, AES-256-GCM,
// ChaCha20-Poly1305. Anything else (CCM, 3DES, RC4, NULL, export suites) is
// unknown: its connections are stored undecrypted, saying so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace trafficdb {

enum class RecordProtection { aes_gcm, chacha20_poly1305, aes_cbc_hmac };

struct CipherSuite {
  std::uint16_t id = 0;
  std::string_view name;         // IANA name
  bool tls13 = false;            // a TLS 1.3 suite
  RecordProtection protection = RecordProtection::aes_gcm;
  std::size_t key_length = 16;   // bytes of the cipher key
  std::size_t mac_length = 0;    // CBC suites: HMAC output (and key) bytes
  std::string_view mac_digest;   // CBC suites: "SHA1", "SHA256", "SHA384"
  std::string_view prf_digest;   // key schedule hash: "SHA256" or "SHA384"
};

// nullopt for a suite trafficdb does not decrypt.
std::optional<CipherSuite> find_cipher_suite(std::uint16_t id);

}  // namespace trafficdb
