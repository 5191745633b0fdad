#include "recorder/tls/record_decrypter.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <array>
#include <cstring>

namespace trafficdb {
namespace {

constexpr std::size_t kAeadTag = 16;
constexpr std::size_t kCbcBlock = 16;

// A KDF fetched once for the process.
EVP_KDF* kdf(const char* name) {
  if (std::strcmp(name, "TLS1-PRF") == 0) {
    static EVP_KDF* prf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
    return prf;
  }
  static EVP_KDF* hkdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return hkdf;
}

Result<std::string> derive(const char* kdf_name, OSSL_PARAM* params, std::size_t length) {
  EVP_KDF* k = kdf(kdf_name);
  if (!k) return Status::not_supported(std::string("libcrypto has no ") + kdf_name);
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(k), &EVP_KDF_CTX_free);
  std::string out(length, '\0');
  if (!ctx || EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), length, params) <= 0)
    return Status::error(std::string(kdf_name) + " key derivation failed");
  return out;
}

Result<std::string> tls_prf(std::string_view digest, std::string_view secret, std::string_view label,
                            std::string_view seed, std::size_t length) {
  std::string label_seed = std::string(label) + std::string(seed);
  std::string digest_name(digest);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<char*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, label_seed.data(), label_seed.size()),
      OSSL_PARAM_construct_end()};
  return derive("TLS1-PRF", params, length);
}

const EVP_CIPHER* cipher_of(const CipherSuite& suite) {
  switch (suite.protection) {
    case RecordProtection::aes_gcm: return suite.key_length == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    case RecordProtection::chacha20_poly1305: return EVP_chacha20_poly1305();
    case RecordProtection::aes_cbc_hmac: return suite.key_length == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
  }
  return nullptr;
}

// The implicit part of the nonce: 4 bytes for TLS 1.2 GCM, 12 for ChaCha20
// and TLS 1.3, a block for TLS 1.0 CBC, nothing for TLS 1.1+ CBC.
std::size_t fixed_iv_length(const CipherSuite& suite, std::uint16_t version) {
  if (suite.tls13 || suite.protection == RecordProtection::chacha20_poly1305) return 12;
  if (suite.protection == RecordProtection::aes_gcm) return 4;
  return version == kTls10 ? kCbcBlock : 0;
}

void put_u64(unsigned char* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}

}  // namespace

Result<std::string> hkdf_expand_label(std::string_view digest, std::string_view secret, std::string_view label,
                                      std::string_view context, std::size_t length) {
  std::string info;
  const std::string full_label = "tls13 " + std::string(label);
  info += static_cast<char>(length >> 8);
  info += static_cast<char>(length & 0xff);
  info += static_cast<char>(full_label.size());
  info += full_label;
  info += static_cast<char>(context.size());
  info += context;
  std::string digest_name(digest);
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end()};
  return derive("HKDF", params, length);
}

Result<std::pair<DirectionKeys, DirectionKeys>> tls12_direction_keys(const CipherSuite& suite, std::uint16_t version,
                                                                     std::string_view master_secret,
                                                                     std::string_view client_random,
                                                                     std::string_view server_random) {
  if (suite.tls13) return Status::invalid_input(std::string(suite.name) + " is a TLS 1.3 suite");
  const std::size_t iv = fixed_iv_length(suite, version);
  const std::size_t total = 2 * (suite.mac_length + suite.key_length + iv);
  // TLS 1.0 and 1.1 use the MD5+SHA-1 PRF; 1.2 the suite's hash.
  const std::string_view digest = version >= kTls12 ? suite.prf_digest : std::string_view("MD5-SHA1");
  auto block = tls_prf(digest, master_secret, "key expansion", std::string(server_random) + std::string(client_random),
                       total);
  if (!block.is_ok()) return block.status();
  std::string_view b = *block;
  auto take = [&](std::size_t n) {
    std::string out(b.substr(0, n));
    b.remove_prefix(n);
    return out;
  };
  DirectionKeys client, server;
  client.mac_key = take(suite.mac_length);
  server.mac_key = take(suite.mac_length);
  client.key = take(suite.key_length);
  server.key = take(suite.key_length);
  client.iv = take(iv);
  server.iv = take(iv);
  return std::make_pair(std::move(client), std::move(server));
}

Result<DirectionKeys> tls13_direction_keys(const CipherSuite& suite, std::string_view traffic_secret) {
  DirectionKeys keys;
  auto key = hkdf_expand_label(suite.prf_digest, traffic_secret, "key", "", suite.key_length);
  if (!key.is_ok()) return key.status();
  auto iv = hkdf_expand_label(suite.prf_digest, traffic_secret, "iv", "", 12);
  if (!iv.is_ok()) return iv.status();
  keys.key = std::move(key).value();
  keys.iv = std::move(iv).value();
  return keys;
}

Result<std::string> tls13_next_traffic_secret(const CipherSuite& suite, std::string_view secret) {
  return hkdf_expand_label(suite.prf_digest, secret, "traffic upd", "", secret.size());
}

struct RecordDecrypter::Impl {
  CipherSuite suite;
  std::uint16_t version = kTls12;
  DirectionKeys keys;
  bool encrypt_then_mac = false;
  EVP_CIPHER_CTX* cipher = nullptr;
  EVP_MAC_CTX* mac = nullptr;
  Status broken;  // set by the first record that does not open

  ~Impl() {
    EVP_CIPHER_CTX_free(cipher);
    EVP_MAC_CTX_free(mac);
  }
};

RecordDecrypter::RecordDecrypter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordDecrypter::~RecordDecrypter() = default;

Result<std::unique_ptr<RecordDecrypter>> RecordDecrypter::create(const CipherSuite& suite, std::uint16_t version,
                                                                 const DirectionKeys& keys, bool encrypt_then_mac) {
  auto impl = std::make_unique<Impl>();
  impl->suite = suite;
  impl->version = version;
  impl->keys = keys;
  impl->encrypt_then_mac = encrypt_then_mac;
  if (keys.key.size() != suite.key_length)
    return Status::invalid_input("key of " + std::to_string(keys.key.size()) + " bytes for " + std::string(suite.name));
  impl->cipher = EVP_CIPHER_CTX_new();
  if (!impl->cipher || EVP_DecryptInit_ex(impl->cipher, cipher_of(suite), nullptr, nullptr, nullptr) != 1)
    return Status::error("cannot set up " + std::string(suite.name));
  if (suite.protection == RecordProtection::aes_cbc_hmac) {
    EVP_CIPHER_CTX_set_padding(impl->cipher, 0);
    if (EVP_DecryptInit_ex(impl->cipher, nullptr, nullptr, reinterpret_cast<const unsigned char*>(keys.key.data()),
                           nullptr) != 1)
      return Status::error("cannot set the key of " + std::string(suite.name));
    static EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!hmac) return Status::not_supported("libcrypto has no HMAC");
    impl->mac = EVP_MAC_CTX_new(hmac);
    std::string digest(suite.mac_digest);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
                           OSSL_PARAM_construct_end()};
    if (!impl->mac || EVP_MAC_init(impl->mac, reinterpret_cast<const unsigned char*>(keys.mac_key.data()),
                                   keys.mac_key.size(), params) != 1)
      return Status::error("cannot set up HMAC-" + digest);
  } else {
    if (EVP_CIPHER_CTX_ctrl(impl->cipher, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) != 1 ||
        EVP_DecryptInit_ex(impl->cipher, nullptr, nullptr, reinterpret_cast<const unsigned char*>(keys.key.data()),
                           nullptr) != 1)
      return Status::error("cannot set the key of " + std::string(suite.name));
  }
  return std::unique_ptr<RecordDecrypter>(new RecordDecrypter(std::move(impl)));
}

Status RecordDecrypter::open(std::uint8_t& type, std::uint16_t legacy_version, std::string_view fragment,
                             std::string& plaintext) {
  if (!impl_->broken.is_ok()) return impl_->broken;
  Status s = impl_->suite.protection == RecordProtection::aes_cbc_hmac
                 ? open_cbc(type, legacy_version, fragment, plaintext)
                 : open_aead(type, legacy_version, fragment, plaintext);
  if (!s.is_ok()) {
    impl_->broken = s;
    return s;
  }
  ++sequence_;
  return s;
}

Status RecordDecrypter::open_aead(std::uint8_t& type, std::uint16_t legacy_version, std::string_view fragment,
                                  std::string& plaintext) {
  Impl& m = *impl_;
  const bool explicit_nonce = !m.suite.tls13 && m.suite.protection == RecordProtection::aes_gcm;
  const std::size_t overhead = kAeadTag + (explicit_nonce ? 8 : 0);
  if (fragment.size() < overhead + (m.suite.tls13 ? 1 : 0))
    return Status::corrupt("record " + std::to_string(sequence_) + " is too short to be protected");

  std::array<unsigned char, 12> nonce{};
  if (explicit_nonce) {
    std::memcpy(nonce.data(), m.keys.iv.data(), 4);
    std::memcpy(nonce.data() + 4, fragment.data(), 8);
    fragment.remove_prefix(8);
  } else {
    std::memcpy(nonce.data(), m.keys.iv.data(), 12);
    unsigned char seq[8];
    put_u64(seq, sequence_);
    for (int i = 0; i < 8; ++i) nonce[4 + i] ^= seq[i];
  }
  const std::string_view ciphertext = fragment.substr(0, fragment.size() - kAeadTag);
  const std::string_view tag = fragment.substr(fragment.size() - kAeadTag);

  unsigned char aad[13];
  int aad_length;
  if (m.suite.tls13) {
    const std::size_t length = ciphertext.size() + kAeadTag;
    aad[0] = type;
    aad[1] = static_cast<unsigned char>(legacy_version >> 8);
    aad[2] = static_cast<unsigned char>(legacy_version & 0xff);
    aad[3] = static_cast<unsigned char>(length >> 8);
    aad[4] = static_cast<unsigned char>(length & 0xff);
    aad_length = 5;
  } else {
    put_u64(aad, sequence_);
    aad[8] = type;
    aad[9] = static_cast<unsigned char>(legacy_version >> 8);
    aad[10] = static_cast<unsigned char>(legacy_version & 0xff);
    aad[11] = static_cast<unsigned char>(ciphertext.size() >> 8);
    aad[12] = static_cast<unsigned char>(ciphertext.size() & 0xff);
    aad_length = 13;
  }

  plaintext.resize(ciphertext.size());
  int n = 0, tail = 0;
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  const bool opened =
      EVP_DecryptInit_ex(m.cipher, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
      EVP_DecryptUpdate(m.cipher, nullptr, &n, aad, aad_length) == 1 &&
      EVP_DecryptUpdate(m.cipher, out, &n, reinterpret_cast<const unsigned char*>(ciphertext.data()),
                        static_cast<int>(ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(m.cipher, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTag),
                          const_cast<char*>(tag.data())) == 1 &&
      EVP_DecryptFinal_ex(m.cipher, out + n, &tail) == 1;
  if (!opened) {
    plaintext.clear();
    return Status::corrupt("record " + std::to_string(sequence_) +
                           " does not decrypt (its authentication tag does not match: wrong keys, or records lost)");
  }
  if (m.suite.tls13) {
    // TLSInnerPlaintext: content, the real type, then zero padding.
    std::size_t end = plaintext.size();
    while (end > 0 && plaintext[end - 1] == '\0') --end;
    if (end == 0) return Status::corrupt("record " + std::to_string(sequence_) + " has no content type");
    type = static_cast<std::uint8_t>(plaintext[end - 1]);
    plaintext.resize(end - 1);
  }
  return Status::ok();
}

Status RecordDecrypter::open_cbc(std::uint8_t type, std::uint16_t legacy_version, std::string_view fragment,
                                 std::string& plaintext) {
  Impl& m = *impl_;
  const std::size_t mac_length = m.suite.mac_length;
  const bool explicit_iv = m.version >= kTls11;
  const auto bad = [&](const char* why) {
    plaintext.clear();
    return Status::corrupt("record " + std::to_string(sequence_) + " does not decrypt (" + why +
                           ": wrong keys, or records lost)");
  };
  auto compute_mac = [&](std::string_view content, unsigned char* out) {
    unsigned char header[13];
    put_u64(header, sequence_);
    header[8] = type;
    header[9] = static_cast<unsigned char>(legacy_version >> 8);
    header[10] = static_cast<unsigned char>(legacy_version & 0xff);
    header[11] = static_cast<unsigned char>(content.size() >> 8);
    header[12] = static_cast<unsigned char>(content.size() & 0xff);
    std::size_t written = 0;
    return EVP_MAC_init(m.mac, nullptr, 0, nullptr) == 1 && EVP_MAC_update(m.mac, header, sizeof header) == 1 &&
           EVP_MAC_update(m.mac, reinterpret_cast<const unsigned char*>(content.data()), content.size()) == 1 &&
           EVP_MAC_final(m.mac, out, &written, 64) == 1 && written == mac_length;
  };

  unsigned char expected[64];
  if (m.encrypt_then_mac) {
    if (fragment.size() < mac_length) return bad("shorter than its MAC");
    const std::string_view protected_part = fragment.substr(0, fragment.size() - mac_length);
    if (!compute_mac(protected_part, expected) ||
        CRYPTO_memcmp(expected, fragment.data() + protected_part.size(), mac_length) != 0)
      return bad("its MAC does not match");
    fragment = protected_part;
  }
  std::string_view iv = m.keys.iv;
  if (explicit_iv) {
    if (fragment.size() < kCbcBlock) return bad("shorter than its IV");
    iv = fragment.substr(0, kCbcBlock);
    fragment.remove_prefix(kCbcBlock);
  }
  if (fragment.empty() || fragment.size() % kCbcBlock != 0 || iv.size() != kCbcBlock)
    return bad("not a whole number of blocks");
  plaintext.resize(fragment.size());
  int n = 0, tail = 0;
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  if (EVP_DecryptInit_ex(m.cipher, nullptr, nullptr, nullptr, reinterpret_cast<const unsigned char*>(iv.data())) != 1 ||
      EVP_DecryptUpdate(m.cipher, out, &n, reinterpret_cast<const unsigned char*>(fragment.data()),
                        static_cast<int>(fragment.size())) != 1 ||
      EVP_DecryptFinal_ex(m.cipher, out + n, &tail) != 1)
    return bad("the cipher refused it");
  if (!explicit_iv) m.keys.iv.assign(fragment.substr(fragment.size() - kCbcBlock));  // TLS 1.0 chains IVs

  const std::size_t padding = static_cast<unsigned char>(plaintext.back()) + std::size_t{1};
  const std::size_t trailer = padding + (m.encrypt_then_mac ? 0 : mac_length);
  if (trailer > plaintext.size()) return bad("its padding is longer than the record");
  for (std::size_t i = plaintext.size() - padding; i < plaintext.size(); ++i)
    if (plaintext[i] != plaintext.back()) return bad("its padding is malformed");
  plaintext.resize(plaintext.size() - padding);
  if (!m.encrypt_then_mac) {
    const std::string_view content = std::string_view(plaintext).substr(0, plaintext.size() - mac_length);
    if (!compute_mac(content, expected) || CRYPTO_memcmp(expected, plaintext.data() + content.size(), mac_length) != 0)
      return bad("its MAC does not match");
    plaintext.resize(content.size());
  }
  return Status::ok();
}

}  // namespace trafficdb
