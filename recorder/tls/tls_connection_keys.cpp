// TlsConnection's handshake and keys: what the hellos say, finding the
// connection's secrets in the key log, deriving the keys, following TLS
// 1.3's Finished and KeyUpdate, and the records that waited for keys.
#include <cstdio>
#include <cstring>

#include "recorder/tls/tls_connection_state.h"

namespace trafficdb {
namespace {

std::string version_name(std::uint16_t v) {
  switch (v) {
    case kTls10: return "TLS 1.0";
    case kTls11: return "TLS 1.1";
    case kTls12: return "TLS 1.2";
    case kTls13: return "TLS 1.3";
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace

void TlsConnection::on_plain_handshake(Side side, std::uint8_t type, std::string_view body, Micros at) {
  State& s = *state_;
  if (type == tls_handshake_type::client_hello) {
    auto hello = parse_client_hello(body);
    if (!hello.is_ok()) return give_up(hello.status().message(), false, at);
    if (!s.client_side) s.client_side = side;
    s.facts.server_name = hello->server_name;
    s.client_hello = std::move(hello).value();
  } else if (type == tls_handshake_type::server_hello) {
    auto hello = parse_server_hello(body);
    if (!hello.is_ok()) return give_up(hello.status().message(), false, at);
    if (hello->hello_retry_request) return;  // a second ClientHello follows
    if (!s.client_side) s.client_side = other(side);
    s.tls13 = hello->version == kTls13;
    s.facts.version = version_name(hello->version);
    s.facts.alpn = hello->alpn;
    s.server_hello = std::move(hello).value();
    if (!s.client_hello) return give_up("the capture holds no ClientHello for this connection", false, at);
    find_keys(at);
  }
}

bool TlsConnection::find_keys(Micros at) {
  State& s = *state_;
  const ServerHello& server = *s.server_hello;
  s.suite = find_cipher_suite(server.cipher_suite);
  if (!s.suite) {
    char id[8];
    std::snprintf(id, sizeof id, "0x%04X", server.cipher_suite);
    give_up(std::string("its cipher suite ") + id + " is not one trafficdb decrypts", true, at);
    return false;
  }
  s.facts.cipher_suite = std::string(s.suite->name);
  if (server.version < kTls10 || server.version > kTls13 || s.suite->tls13 != s.tls13) {
    give_up("its version " + version_name(server.version) + " is not one trafficdb decrypts", true, at);
    return false;
  }
  ClientRandom random{};
  if (s.client_hello->random.size() != random.size()) return false;
  std::memcpy(random.data(), s.client_hello->random.data(), random.size());
  const TlsSecrets* secrets = context_.keys_.find(random);
  const bool enough = secrets && (s.tls13 ? secrets->has_tls13_handshake() && secrets->has_tls13_traffic()
                                          : secrets->has_tls12());
  if (!enough) {
    const std::string why = "no keys for it in the key log (client random " + hex(s.client_hello->random) + ")";
    if (context_.options_.wait_for_keys && s.phase != State::Phase::undecryptable) {
      if (s.phase != State::Phase::waiting_for_keys) s.hold_since = at;
      s.phase = State::Phase::waiting_for_keys;
      s.problem = why;
      s.keys_missing = true;
      context_.waiting_.insert(this);
    } else {
      give_up(why, true, at);
    }
    return false;
  }
  const Side c = client();
  Direction& cd = s.dir[static_cast<int>(c)];
  Direction& sd = s.dir[static_cast<int>(other(c))];
  if (s.tls13) {
    if (!start_tls13_direction(c, secrets->client_handshake_secret) ||
        !start_tls13_direction(other(c), secrets->server_handshake_secret))
      return false;
    cd.secret = secrets->client_traffic_secret_0;
    sd.secret = secrets->server_traffic_secret_0;
  } else {
    auto keys = tls12_direction_keys(*s.suite, server.version, secrets->master_secret, s.client_hello->random,
                                     server.random);
    const bool etm = s.client_hello->encrypt_then_mac && server.encrypt_then_mac &&
                     s.suite->protection == RecordProtection::aes_cbc_hmac;
    auto client_decrypter =
        keys.is_ok() ? RecordDecrypter::create(*s.suite, server.version, keys->first, etm) : keys.status();
    auto server_decrypter =
        keys.is_ok() ? RecordDecrypter::create(*s.suite, server.version, keys->second, etm) : keys.status();
    if (!client_decrypter.is_ok() || !server_decrypter.is_ok()) {
      give_up((client_decrypter.is_ok() ? server_decrypter.status() : client_decrypter.status()).message(), false,
              at);
      return false;
    }
    cd.decrypter = std::move(client_decrypter).value();
    sd.decrypter = std::move(server_decrypter).value();
  }
  context_.waiting_.erase(this);
  s.phase = State::Phase::decrypting;
  s.problem.clear();
  s.keys_missing = false;
  if (!s.tls13) start_inner();  // TLS 1.2 said ALPN in the ServerHello
  release_held();
  return true;
}

bool TlsConnection::start_tls13_direction(Side side, const std::string& secret) {
  State& s = *state_;
  auto keys = tls13_direction_keys(*s.suite, secret);
  auto decrypter = keys.is_ok() ? RecordDecrypter::create(*s.suite, kTls13, *keys, false) : keys.status();
  if (!decrypter.is_ok()) {
    give_up(decrypter.status().message(), false, s.last_at);
    return false;
  }
  s.dir[static_cast<int>(side)].decrypter = std::move(decrypter).value();
  return true;
}

void TlsConnection::on_protected_handshake(Side side, std::uint8_t type, std::string_view body) {
  State& s = *state_;
  Direction& d = s.dir[static_cast<int>(side)];
  if (!s.tls13) return;
  if (type == tls_handshake_type::encrypted_extensions) {
    if (auto alpn = parse_encrypted_extensions_alpn(body); alpn.is_ok()) s.facts.alpn = *alpn;
  } else if (type == tls_handshake_type::finished) {
    // The secret for what follows is traffic secret 0 (already in d.secret);
    // a Finished after that would be a second handshake: not expected.
    if (d.decrypter && !d.secret.empty()) d.finished_read = true;
  } else if (type == tls_handshake_type::key_update) {
    d.key_update_read = true;
  }
}

void TlsConnection::release_held() {
  State& s = *state_;
  while (!s.held.empty() && s.phase == State::Phase::decrypting) {
    State::Held h = std::move(s.held.front());
    s.held.pop_front();
    s.held_bytes -= h.fragment.size();
    context_.held_total_ -= h.fragment.size();
    open_record(h.side, h.type, h.version, h.fragment, h.at);
  }
}

void TlsConnection::retry_keys(Micros at, bool expired) {
  State& s = *state_;
  if (s.phase != State::Phase::waiting_for_keys) return;
  if (expired || at - s.hold_since > context_.options_.max_hold) {
    give_up(s.problem, true, at);
  } else {
    find_keys(at);
  }
  if (s.closed_at && s.phase != State::Phase::waiting_for_keys) finish_close(std::max(at, *s.closed_at));
}

}  // namespace trafficdb
