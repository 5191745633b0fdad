#include "recorder/tls/key_log.h"

#include <cstring>

namespace trafficdb {
namespace {

constexpr std::size_t kMaxLineBytes = 1024;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view next_field(std::string_view& s) {
  s = trim(s);
  const std::size_t end = std::min(s.find(' '), s.find('\t'));
  std::string_view field = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  return field;
}

}  // namespace

bool decode_hex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  out.resize(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return true;
}

std::size_t KeyLog::RandomHash::operator()(const ClientRandom& r) const noexcept {
  std::size_t h;
  std::memcpy(&h, r.data(), sizeof h);  // client randoms are random
  return h;
}

std::size_t KeyLog::add_text(std::string_view text, bool final) {
  std::size_t consumed = 0;
  while (consumed < text.size()) {
    const std::size_t nl = text.find('\n', consumed);
    if (nl == std::string_view::npos) {
      if (!final) break;
      add_line(text.substr(consumed));
      consumed = text.size();
      break;
    }
    add_line(text.substr(consumed, nl - consumed));
    consumed = nl + 1;
  }
  return consumed;
}

void KeyLog::add_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return;
  if (line.size() > kMaxLineBytes) {
    ++counts_.malformed;
    return;
  }
  std::string_view rest = line;
  const std::string_view label = next_field(rest);
  const std::string_view random_hex = next_field(rest);
  const std::string_view secret_hex = next_field(rest);
  if (label.empty() || random_hex.empty() || secret_hex.empty() || !trim(rest).empty()) {
    ++counts_.malformed;
    return;
  }
  std::string TlsSecrets::*field = nullptr;
  if (label == "CLIENT_RANDOM") field = &TlsSecrets::master_secret;
  else if (label == "CLIENT_HANDSHAKE_TRAFFIC_SECRET") field = &TlsSecrets::client_handshake_secret;
  else if (label == "SERVER_HANDSHAKE_TRAFFIC_SECRET") field = &TlsSecrets::server_handshake_secret;
  else if (label == "CLIENT_TRAFFIC_SECRET_0") field = &TlsSecrets::client_traffic_secret_0;
  else if (label == "SERVER_TRAFFIC_SECRET_0") field = &TlsSecrets::server_traffic_secret_0;

  std::string random_bytes, secret;
  if (random_hex.size() != 64 || !decode_hex(random_hex, random_bytes) || !decode_hex(secret_hex, secret) ||
      secret.empty() || secret.size() > 64) {
    ++counts_.malformed;
    return;
  }
  if (!field) {
    ++counts_.skipped;
    return;
  }
  if (field == &TlsSecrets::master_secret && secret.size() != 48) {
    ++counts_.malformed;
    return;
  }
  ClientRandom random;
  std::memcpy(random.data(), random_bytes.data(), random.size());
  auto [it, inserted] = secrets_.try_emplace(random);
  if (inserted) {
    order_.push_back(random);
    while (secrets_.size() > max_connections_ && !order_.empty()) {
      secrets_.erase(order_.front());
      order_.pop_front();
      ++counts_.forgotten;
    }
    it = secrets_.find(random);
    if (it == secrets_.end()) return;  // max_connections_ == 0
  }
  it->second.*field = std::move(secret);
  ++counts_.lines;
}

const TlsSecrets* KeyLog::find(const ClientRandom& random) const {
  const auto it = secrets_.find(random);
  return it == secrets_.end() ? nullptr : &it->second;
}

}  // namespace trafficdb
