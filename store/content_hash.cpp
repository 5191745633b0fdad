#include "store/content_hash.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace trafficdb {

ContentHash content_hash(std::string_view bytes) {
  ContentHash out{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
    throw std::runtime_error("SHA-256 failed");  // only on OpenSSL misconfiguration
  return out;
}

}  // namespace trafficdb
