#include "recorder/tls/cipher_suite.h"

#include <array>

namespace trafficdb {
namespace {

using P = RecordProtection;

constexpr CipherSuite gcm(std::uint16_t id, std::string_view name, std::size_t key, std::string_view prf) {
  return {id, name, false, P::aes_gcm, key, 0, "", prf};
}
constexpr CipherSuite chacha(std::uint16_t id, std::string_view name) {
  return {id, name, false, P::chacha20_poly1305, 32, 0, "", "SHA256"};
}
constexpr CipherSuite cbc(std::uint16_t id, std::string_view name, std::size_t key, std::string_view mac,
                          std::size_t mac_length, std::string_view prf) {
  return {id, name, false, P::aes_cbc_hmac, key, mac_length, mac, prf};
}

constexpr std::array kSuites = {
    // TLS 1.3
    CipherSuite{0x1301, "TLS_AES_128_GCM_SHA256", true, P::aes_gcm, 16, 0, "", "SHA256"},
    CipherSuite{0x1302, "TLS_AES_256_GCM_SHA384", true, P::aes_gcm, 32, 0, "", "SHA384"},
    CipherSuite{0x1303, "TLS_CHACHA20_POLY1305_SHA256", true, P::chacha20_poly1305, 32, 0, "", "SHA256"},
    // TLS 1.2 AEAD
    gcm(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 16, "SHA256"),
    gcm(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 32, "SHA384"),
    gcm(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 16, "SHA256"),
    gcm(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 32, "SHA384"),
    gcm(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", 16, "SHA256"),
    gcm(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", 32, "SHA384"),
    gcm(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 16, "SHA256"),
    gcm(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 32, "SHA384"),
    chacha(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    chacha(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
    chacha(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    // TLS 1.2 CBC
    cbc(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", 16, "SHA1", 20, "SHA256"),
    cbc(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", 32, "SHA1", 20, "SHA256"),
    cbc(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", 16, "SHA256", 32, "SHA256"),
    cbc(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", 32, "SHA256", 32, "SHA256"),
    cbc(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 16, "SHA1", 20, "SHA256"),
    cbc(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 32, "SHA1", 20, "SHA256"),
    cbc(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 16, "SHA256", 32, "SHA256"),
    cbc(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 32, "SHA256", 32, "SHA256"),
    cbc(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 16, "SHA1", 20, "SHA256"),
    cbc(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 32, "SHA1", 20, "SHA256"),
    cbc(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 16, "SHA1", 20, "SHA256"),
    cbc(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 32, "SHA1", 20, "SHA256"),
    cbc(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 16, "SHA256", 32, "SHA256"),
    cbc(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 32, "SHA384", 48, "SHA384"),
    cbc(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 16, "SHA256", 32, "SHA256"),
    cbc(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 32, "SHA384", 48, "SHA384"),
};

}  // namespace

std::optional<CipherSuite> find_cipher_suite(std::uint16_t id) {
  for (const CipherSuite& s : kSuites)
    if (s.id == id) return s;
  return std::nullopt;
}

}  // namespace trafficdb
