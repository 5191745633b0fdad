#include "recorder/tls/tls_connection.h"

#include <nlohmann/json.hpp>

#include "recorder/capture_output.h"
#include "recorder/http2/frame_reader.h"
#include "recorder/tls/tls_connection_state.h"

namespace trafficdb {
namespace {

namespace record_type {
constexpr std::uint8_t change_cipher_spec = 20, alert = 21, handshake = 22, application_data = 23;
}

constexpr std::size_t kRecordHeader = 5;
constexpr std::size_t kMaxRecordFragment = (1u << 14) + 2048;

std::uint16_t u16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) << 8 | static_cast<unsigned char>(b[at + 1]));
}

const char* side_name(bool client) { return client ? "client" : "server"; }

}  // namespace

TlsConnection::TlsConnection(const ConnectionInfo& info, TlsContext& context)
    : info_(info), context_(context), state_(std::make_unique<State>()) {
  ++context_.counts_.connections;
  if (info.saw_syn) state_->client_side = Side::originator;
  for (int i = 0; i < 2; ++i) {
    const Side side = static_cast<Side>(i);
    state_->dir[i].plain_handshake = std::make_unique<HandshakeReader>(
        [this, side](std::uint8_t type, std::string_view body, bool whole) {
          if (whole) on_plain_handshake(side, type, body, state_->last_at);
        });
    state_->dir[i].protected_handshake = std::make_unique<HandshakeReader>(
        [this, side](std::uint8_t type, std::string_view body, bool whole) {
          if (whole || type == tls_handshake_type::finished) on_protected_handshake(side, type, body);
        });
  }
}

TlsConnection::~TlsConnection() {
  context_.waiting_.erase(this);
  context_.held_total_ -= state_->held_bytes;
}

Side TlsConnection::client() const { return state_->client_side.value_or(Side::originator); }

void TlsConnection::on_data(Side side, std::string_view bytes, Micros at) {
  State& s = *state_;
  if (s.first_at == 0) s.first_at = at;
  s.last_at = at;
  Direction& d = s.dir[static_cast<int>(side)];
  d.wire_bytes += bytes.size();
  if (d.stopped) {
    if (s.inner) s.inner->on_gap(side == client() ? Side::originator : Side::responder, bytes.size(), at);
    return;
  }
  d.partial.append(bytes);
  read_records(side, at);
}

void TlsConnection::read_records(Side side, Micros at) {
  Direction& d = state_->dir[static_cast<int>(side)];
  std::size_t used = 0;
  while (!d.stopped && d.partial.size() - used >= kRecordHeader) {
    const std::string_view rest = std::string_view(d.partial).substr(used);
    const auto type = static_cast<std::uint8_t>(rest[0]);
    const std::uint16_t version = u16(rest, 1);
    const std::size_t length = u16(rest, 3);
    if (type < record_type::change_cipher_spec || type > record_type::application_data || rest[1] != 3 ||
        length > kMaxRecordFragment) {
      d.stopped = true;
      give_up(std::string("the ") + side_name(side == client()) + "'s bytes stop being TLS records after " +
                  std::to_string(d.wire_bytes - (d.partial.size() - used)) + " bytes",
              false, at);
      break;
    }
    if (rest.size() < kRecordHeader + length) break;
    on_record(side, type, version, rest.substr(kRecordHeader, length), at);
    used += kRecordHeader + length;
  }
  d.partial.erase(0, used);
}

void TlsConnection::on_record(Side side, std::uint8_t type, std::uint16_t version, std::string_view fragment,
                              Micros at) {
  State& s = *state_;
  Direction& d = s.dir[static_cast<int>(side)];
  if (s.phase == State::Phase::undecryptable) return;
  if (type == record_type::change_cipher_spec) {
    if (!s.tls13) d.protected_records = true;  // TLS 1.3 sends it only for middleboxes
    return;
  }
  const bool is_protected = d.protected_records || (s.tls13 && type == record_type::application_data);
  if (!is_protected) {
    if (type == record_type::handshake) d.plain_handshake->feed(fragment);
    else if (type == record_type::application_data)
      give_up("the capture holds no TLS handshake for this connection (it started later)", false, at);
    return;  // alerts in clear say nothing we keep
  }
  if (s.phase == State::Phase::handshake && !s.server_hello) {
    give_up("protected records before the handshake was seen", false, at);
    return;
  }
  open_record(side, type, version, fragment, at);
}

void TlsConnection::open_record(Side side, std::uint8_t type, std::uint16_t version, std::string_view fragment,
                                Micros at) {
  State& s = *state_;
  Direction& d = s.dir[static_cast<int>(side)];
  if (s.phase == State::Phase::waiting_for_keys || s.phase == State::Phase::handshake) {
    if (s.phase == State::Phase::waiting_for_keys && s.held_bytes + fragment.size() <= context_.options_.max_held_bytes &&
        context_.held_total_ + fragment.size() <= context_.options_.max_held_total &&
        at - s.hold_since <= context_.options_.max_hold) {
      s.held.push_back({side, type, version, std::string(fragment), at});
      s.held_bytes += fragment.size();
      context_.held_total_ += fragment.size();
      return;
    }
    if (s.phase == State::Phase::waiting_for_keys)
      s.problem += "; its records waited for the keys longer, or in greater number, than is kept";
    give_up(s.problem.empty() ? std::string("protected records before its keys were known") : s.problem,
            s.keys_missing, at);
    return;
  }
  if (d.stopped || !d.decrypter) return;
  std::string plaintext;
  std::uint8_t inner_type = type;
  if (Status opened = d.decrypter->open(inner_type, version, fragment, plaintext); !opened.is_ok()) {
    d.stopped = true;
    const bool is_client = side == client();
    give_up(std::string("the ") + side_name(is_client) + "'s " + opened.message(), false, at);
    return;
  }
  if (inner_type == record_type::application_data) {
    deliver(side, plaintext, at);
  } else if (inner_type == record_type::handshake) {
    d.protected_handshake->feed(plaintext);
  }
  if (s.tls13 && (d.finished_read || d.key_update_read)) {
    std::string next = d.finished_read ? d.secret : std::string();
    if (d.key_update_read) {
      auto updated = tls13_next_traffic_secret(*s.suite, d.secret);
      if (!updated.is_ok()) return give_up(updated.status().message(), false, at);
      next = *updated;
    }
    d.finished_read = d.key_update_read = false;
    d.secret = next;
    start_tls13_direction(side, next);
  }
}

void TlsConnection::start_inner() {
  State& s = *state_;
  if (s.inner) return;
  ConnectionInfo inner_info = info_;
  if (client() != Side::originator) std::swap(inner_info.originator, inner_info.responder);
  inner_info.saw_syn = true;
  s.inner = context_.inner_(inner_info, s.facts);
}

void TlsConnection::deliver(Side side, std::string_view plaintext, Micros at) {
  State& s = *state_;
  if (!s.inner) {
    // ALPN not seen (its EncryptedExtensions came later in the capture, or
    // none was negotiated): HTTP/2 says so with its preface.
    if (s.facts.alpn.empty() && side == client() && plaintext.substr(0, kHttp2Preface.size()) == kHttp2Preface)
      s.facts.alpn = "h2";
    start_inner();
  }
  s.plaintext_bytes += plaintext.size();
  if (s.inner && !plaintext.empty())
    s.inner->on_data(side == client() ? Side::originator : Side::responder, plaintext, at);
}

void TlsConnection::give_up(std::string why, bool keys_missing, Micros at) {
  State& s = *state_;
  context_.waiting_.erase(this);
  if (s.problem.empty() || s.phase == State::Phase::waiting_for_keys) {
    s.problem = std::move(why);
    s.keys_missing = keys_missing;
  }
  for (Direction& d : s.dir) d.stopped = true;
  s.held.clear();
  context_.held_total_ -= s.held_bytes;
  s.held_bytes = 0;
  if (!s.inner) {
    s.phase = State::Phase::undecryptable;
    return;
  }
  // Part of it was decrypted: what is open inside ends with a gap.
  for (Side side : {Side::originator, Side::responder}) s.inner->on_gap(side, 1, at);
}

void TlsConnection::on_gap(Side side, std::uint64_t length, Micros at) {
  State& s = *state_;
  Direction& d = s.dir[static_cast<int>(side)];
  d.wire_bytes += length;
  if (d.stopped) {
    if (s.inner) s.inner->on_gap(side == client() ? Side::originator : Side::responder, length, at);
    return;
  }
  d.partial.clear();
  give_up(std::to_string(length) + " bytes of the " + side_name(side == client()) +
              "'s TLS records are missing from the capture; nothing after them can be decrypted",
          false, at);
}

void TlsConnection::on_end(Side side, StreamEnd how, Micros at) {
  State& s = *state_;
  if (s.inner) s.inner->on_end(side == client() ? Side::originator : Side::responder, how, at);
  else s.ends.emplace_back(side, how);
}

bool TlsConnection::close_deferred() const {
  return state_->closed_at && state_->phase == State::Phase::waiting_for_keys;
}

void TlsConnection::on_close(Micros at) {
  State& s = *state_;
  if (s.phase == State::Phase::waiting_for_keys && at - s.hold_since <= context_.options_.max_hold) {
    s.closed_at = at;  // the keys may still come: TlsContext keeps this connection
    return;
  }
  finish_close(at);
}

void TlsConnection::finish_close(Micros at) {
  State& s = *state_;
  context_.waiting_.erase(this);
  if (s.phase == State::Phase::waiting_for_keys) give_up(s.problem, true, at);
  if (s.inner && s.plaintext_bytes == 0 && !s.problem.empty()) s.inner.reset();  // nothing inside was read
  if (s.inner) {
    for (const auto& [side, how] : s.ends) s.inner->on_end(side == client() ? Side::originator : Side::responder, how, at);
    s.ends.clear();
    s.inner->on_close(at);
    if (s.problem.empty()) {
      ++context_.counts_.decrypted;
    } else {
      ++context_.counts_.failed;
      count_not_decrypted();
    }
    if (!s.problem.empty()) context_.output_.problem("TLS connection " + info_.originator.to_string() + " <-> " +
                                                     info_.responder.to_string() + ": " + s.problem);
    return;
  }
  if (s.keys_missing) ++context_.counts_.without_keys;
  else ++context_.counts_.failed;
  count_not_decrypted();
  emit_undecrypted_row(at);
}

void TlsConnection::count_not_decrypted() {
  const Endpoint& server_end = client() == Side::originator ? info_.responder : info_.originator;
  const std::string name =
      !state_->facts.server_name.empty() ? state_->facts.server_name : server_end.ip.to_string();
  auto& by_server = context_.counts_.not_decrypted_by_server;
  auto it = by_server.find(name);
  if (it == by_server.end() && by_server.size() >= TlsCounts::kMaxServersNamed)
    it = by_server.try_emplace(TlsCounts::kOtherServers, 0).first;
  else if (it == by_server.end())
    it = by_server.emplace(name, 0).first;
  ++it->second;
}

void TlsConnection::emit_undecrypted_row(Micros at) {
  State& s = *state_;
  const Side c = client();
  const Endpoint& client_end = c == Side::originator ? info_.originator : info_.responder;
  const Endpoint& server_end = c == Side::originator ? info_.responder : info_.originator;
  Exchange e;
  Request& rq = e.request;
  rq.scheme = "https";
  rq.host = !s.facts.server_name.empty() ? s.facts.server_name : server_end.ip.to_string();
  rq.port = server_end.port;
  rq.url = rq.host + ":" + std::to_string(server_end.port);
  rq.http_version = s.facts.version;
  rq.body.captured = false;
  rq.body.wire_size = static_cast<std::int64_t>(s.dir[static_cast<int>(c)].wire_bytes);
  e.timings.started = s.first_at ? s.first_at : info_.opened_at;
  e.timings.ended = at > s.last_at ? s.last_at : at;
  if (s.last_at) e.timings.ended = s.last_at;
  e.client_addr = client_end.to_string();
  e.server_addr = server_end.to_string();
  e.source_key = "tls " + e.client_addr + " " + e.server_addr + " " + std::to_string(info_.opened_at);
  e.tunnel = true;
  e.error = "TLS not decrypted: " + (s.problem.empty() ? std::string("the connection ended during the handshake")
                                                        : s.problem);
  nlohmann::json tls = {{"decrypted", false},
                        {"client_bytes", s.dir[static_cast<int>(c)].wire_bytes},
                        {"server_bytes", s.dir[static_cast<int>(other(c))].wire_bytes}};
  if (!s.facts.server_name.empty()) tls["sni"] = s.facts.server_name;
  if (!s.facts.version.empty()) tls["version"] = s.facts.version;
  if (!s.facts.cipher_suite.empty()) tls["cipher_suite"] = s.facts.cipher_suite;
  if (s.client_hello && !s.client_hello->alpn.empty()) tls["alpn_offered"] = s.client_hello->alpn;
  e.details = nlohmann::json{{"tls", tls}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  context_.output_.exchange(std::move(e));
}

}  // namespace trafficdb
