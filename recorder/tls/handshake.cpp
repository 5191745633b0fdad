#include "recorder/tls/handshake.h"

#include <optional>

namespace trafficdb {
namespace {

constexpr std::uint16_t kServerName = 0, kAlpn = 16, kEncryptThenMac = 22, kSupportedVersions = 43;

// SHA-256("HelloRetryRequest"): the ServerHello random of a HelloRetryRequest.
constexpr unsigned char kHelloRetryRandom[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// Reads big-endian fields and length-prefixed vectors; once a read runs past
// the end, every later one fails too.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  bool empty() const { return data_.empty(); }

  std::uint32_t number(int bytes) {
    if (!ok_ || data_.size() < static_cast<std::size_t>(bytes)) return fail();
    std::uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<unsigned char>(data_[i]);
    data_.remove_prefix(bytes);
    return v;
  }
  std::string_view bytes(std::size_t n) {
    if (!ok_ || data_.size() < n) {
      fail();
      return {};
    }
    std::string_view out = data_.substr(0, n);
    data_.remove_prefix(n);
    return out;
  }
  // A vector whose length is given in `length_bytes` bytes.
  std::string_view vector(int length_bytes) { return bytes(number(length_bytes)); }

 private:
  std::uint32_t fail() {
    ok_ = false;
    data_ = {};
    return 0;
  }
  std::string_view data_;
  bool ok_ = true;
};

using OnExtension = std::function<bool(std::uint16_t type, std::string_view data)>;

// Walks an extensions block; false when it is malformed or `on` says so.
bool each_extension(std::string_view block, const OnExtension& on) {
  Reader r(block);
  while (r.ok() && !r.empty()) {
    const auto type = static_cast<std::uint16_t>(r.number(2));
    const std::string_view data = r.vector(2);
    if (!r.ok() || !on(type, data)) return false;
  }
  return r.ok();
}

std::optional<std::vector<std::string>> alpn_list(std::string_view data) {
  Reader r(data);
  Reader list(r.vector(2));
  std::vector<std::string> out;
  while (list.ok() && !list.empty()) {
    const std::string_view name = list.vector(1);
    if (list.ok()) out.emplace_back(name);
  }
  if (!r.ok() || !list.ok() || !r.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> host_name(std::string_view data) {
  Reader r(data);
  Reader list(r.vector(2));
  while (list.ok() && !list.empty()) {
    const std::uint32_t type = list.number(1);
    const std::string_view name = list.vector(2);
    if (list.ok() && type == 0) return std::string(name);
  }
  if (!r.ok() || !list.ok()) return std::nullopt;
  return std::string();
}

}  // namespace

Result<ClientHello> parse_client_hello(std::string_view body) {
  Reader r(body);
  ClientHello hello;
  r.number(2);  // legacy_version
  hello.random = std::string(r.bytes(32));
  r.vector(1);  // session id
  r.vector(2);  // cipher suites
  r.vector(1);  // compression methods
  if (!r.ok()) return Status::invalid_input("ClientHello is cut short");
  if (r.empty()) return hello;  // no extensions (old clients)
  const std::string_view extensions = r.vector(2);
  if (!r.ok()) return Status::invalid_input("ClientHello's extensions are cut short");
  const bool fine = each_extension(extensions, [&](std::uint16_t type, std::string_view data) {
    if (type == kServerName) {
      auto name = host_name(data);
      if (!name) return false;
      hello.server_name = std::move(*name);
    } else if (type == kAlpn) {
      auto list = alpn_list(data);
      if (!list) return false;
      hello.alpn = std::move(*list);
    } else if (type == kEncryptThenMac) {
      hello.encrypt_then_mac = true;
    }
    return true;
  });
  if (!fine) return Status::invalid_input("ClientHello has a malformed extension");
  return hello;
}

Result<ServerHello> parse_server_hello(std::string_view body) {
  Reader r(body);
  ServerHello hello;
  hello.version = static_cast<std::uint16_t>(r.number(2));
  hello.random = std::string(r.bytes(32));
  r.vector(1);  // session id
  hello.cipher_suite = static_cast<std::uint16_t>(r.number(2));
  r.number(1);  // compression method
  if (!r.ok()) return Status::invalid_input("ServerHello is cut short");
  hello.hello_retry_request =
      hello.random.size() == 32 && hello.random == std::string_view(reinterpret_cast<const char*>(kHelloRetryRandom), 32);
  if (r.empty()) return hello;
  const std::string_view extensions = r.vector(2);
  if (!r.ok()) return Status::invalid_input("ServerHello's extensions are cut short");
  const bool fine = each_extension(extensions, [&](std::uint16_t type, std::string_view data) {
    if (type == kSupportedVersions) {
      Reader v(data);
      hello.version = static_cast<std::uint16_t>(v.number(2));
      return v.ok();
    }
    if (type == kAlpn) {
      auto list = alpn_list(data);
      if (!list || list->size() != 1) return false;
      hello.alpn = std::move(list->front());
    } else if (type == kEncryptThenMac) {
      hello.encrypt_then_mac = true;
    }
    return true;
  });
  if (!fine) return Status::invalid_input("ServerHello has a malformed extension");
  return hello;
}

Result<std::string> parse_encrypted_extensions_alpn(std::string_view body) {
  Reader r(body);
  const std::string_view extensions = r.vector(2);
  if (!r.ok()) return Status::invalid_input("EncryptedExtensions is cut short");
  std::string alpn;
  const bool fine = each_extension(extensions, [&](std::uint16_t type, std::string_view data) {
    if (type != kAlpn) return true;
    auto list = alpn_list(data);
    if (!list || list->size() != 1) return false;
    alpn = std::move(list->front());
    return true;
  });
  if (!fine) return Status::invalid_input("EncryptedExtensions has a malformed extension");
  return alpn;
}

void HandshakeReader::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    if (skipping_ > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(skipping_, bytes.size()));
      skipping_ -= n;
      bytes.remove_prefix(n);
      continue;
    }
    // Whole messages straight from `bytes` when nothing is pending.
    if (pending_.empty() && bytes.size() >= 4) {
      const std::size_t length = static_cast<unsigned char>(bytes[1]) << 16 |
                                 static_cast<unsigned char>(bytes[2]) << 8 | static_cast<unsigned char>(bytes[3]);
      const auto type = static_cast<std::uint8_t>(bytes[0]);
      if (length > max_message_bytes_) {
        on_message_(type, {}, false);
        skipping_ = length;
        bytes.remove_prefix(4);
        continue;
      }
      if (bytes.size() >= 4 + length) {
        on_message_(type, bytes.substr(4, length), true);
        bytes.remove_prefix(4 + length);
        continue;
      }
    }
    // Otherwise gather into pending_ until the header and then the message are whole.
    const std::size_t need_header = pending_.size() < 4 ? 4 - pending_.size() : 0;
    if (need_header > 0) {
      const std::size_t n = std::min(need_header, bytes.size());
      pending_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (pending_.size() < 4) return;
      const std::size_t length = static_cast<unsigned char>(pending_[1]) << 16 |
                                 static_cast<unsigned char>(pending_[2]) << 8 |
                                 static_cast<unsigned char>(pending_[3]);
      if (length > max_message_bytes_) {
        on_message_(static_cast<std::uint8_t>(pending_[0]), {}, false);
        skipping_ = length;
        pending_.clear();
        continue;
      }
    }
    const std::size_t length = static_cast<unsigned char>(pending_[1]) << 16 |
                               static_cast<unsigned char>(pending_[2]) << 8 | static_cast<unsigned char>(pending_[3]);
    const std::size_t n = std::min(4 + length - pending_.size(), bytes.size());
    pending_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (pending_.size() == 4 + length) {
      const std::string message = std::move(pending_);
      pending_.clear();
      on_message_(static_cast<std::uint8_t>(message[0]), std::string_view(message).substr(4), true);
    }
  }
}

}  // namespace trafficdb
