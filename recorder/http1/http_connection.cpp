#include "recorder/http1/http_connection.h"

#include <algorithm>

#include "common/ascii.h"
#include "recorder/http1/http_head.h"

namespace trafficdb {
namespace {

bool contains_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// How a stream ended, as the tail of an error message.
const char* ended_phrase(StreamEnd how) {
  switch (how) {
    case StreamEnd::fin: return "the connection was closed";
    case StreamEnd::reset: return "the connection was reset";
    case StreamEnd::capture_end: return "the capture ended";
    case StreamEnd::idle: return "the connection went idle";
    case StreamEnd::evicted: return "too many connections were open to follow this one";
    case StreamEnd::reused: return "a new connection reused its ports";
  }
  return "the connection ended";
}

bool well_known_server_port(std::uint16_t port) {
  return port < 1024 || port == 8080 || port == 8000 || port == 8008 || port == 8888 || port == 3000 ||
         port == 5000 || port == 8443 || port == 9000;
}

}  // namespace

class HttpConnection::RequestEvents final : public HttpMessageParser::Events {
 public:
  explicit RequestEvents(HttpConnection& c) : c_(c) {}

  HttpMessageParser::Plan on_head(const HttpMessage& m) override {
    const auto upgrade = find_header(m.headers, "Upgrade");
    const auto connection = find_header(m.headers, "Connection");
    Pending& p = c_.push_pending(true);
    p.method = m.method;
    p.version = m.version;
    c_.current_request_ = p.number;
    HttpMessageParser::Plan plan;
    if (m.method == "CONNECT" || (upgrade && connection && contains_token(*connection, "upgrade"))) {
      p.waits = true;
      plan.after = HttpMessageParser::Plan::After::wait;
      c_.client_next_ = ClientNext::undecided;
    }
    c_.release_early_response();  // it may be this request's answer
    return plan;
  }

  void on_message(HttpMessage&& m) override {
    if (!m.head_done) {
      if (m.method.empty()) return;  // not even a request line: nothing to keep
      c_.current_request_ = c_.push_pending(true).number;
    }
    Pending* p = c_.find(c_.current_request_);
    if (!p) return;
    const bool waits = p->waits && m.error.empty();
    p->request = std::move(m);
    // The response may already have said what follows the request.
    if (waits && c_.client_next_ == ClientNext::http) c_.request_parser_->resume(p->request->last_at.value_or(0));
    if (waits && c_.client_next_ == ClientNext::opaque)
      c_.request_parser_->become_opaque(p->request->last_at.value_or(0));
    c_.try_hand_on();
  }

  void on_opaque(std::string_view bytes, Micros at) override { c_.feed_opaque(0, bytes, at); }
  void on_opaque_gap(std::uint64_t length) override { c_.lose_opaque(0, length, 0); }
  void on_not_http(std::string_view why) override { c_.ignore(why); }

 private:
  HttpConnection& c_;
};

class HttpConnection::ResponseEvents final : public HttpMessageParser::Events {
 public:
  explicit ResponseEvents(HttpConnection& c) : c_(c) {}

  bool next_response_is_http09() override {
    const Pending* p = c_.find(c_.next_response_);
    return p && p->has_request && p->version == "HTTP/0.9";
  }

  HttpMessageParser::Plan on_head(const HttpMessage& m) override {
    HttpMessageParser::Plan plan;
    Pending* p = c_.find(c_.next_response_);
    if (!p) p = &c_.push_pending(false);
    if (m.status >= 100 && m.status < 200 && m.status != 101) {
      p->informational.push_back({m.status, m.reason, m.first_at.value_or(0)});
      c_.reading_informational_ = true;
      plan.body_allowed = false;
      return plan;
    }
    c_.current_response_ = p->number;
    c_.next_response_ = p->number + 1;
    const Micros at = m.last_at.value_or(0);

    if (m.status == 101) {
      const auto protocol = find_header(m.headers, "Upgrade");
      p->protocol_switch = protocol ? ascii_lower(*protocol) : "unknown";
      // What follows may come before this response is handed on: held until then.
      c_.switch_pending_ = p->protocol_switch == "websocket" || (p->protocol_switch == "h2c" && c_.h2c_factory_);
      plan.body_allowed = false;
      plan.after = HttpMessageParser::Plan::After::opaque;
      c_.switch_client(ClientNext::opaque, at);
      return plan;
    }
    if (p->method == "CONNECT" && m.status / 100 == 2) {
      plan.body_allowed = false;
      plan.after = HttpMessageParser::Plan::After::opaque;
      c_.switch_client(ClientNext::opaque, at);
      return plan;
    }
    if (p->waits) c_.switch_client(ClientNext::http, at);  // the upgrade or tunnel was refused
    plan.body_allowed = !(p->method == "HEAD" || m.status == 204 || m.status == 304);
    return plan;
  }

  void on_message(HttpMessage&& m) override {
    if (c_.reading_informational_) {
      c_.reading_informational_ = false;
      return;
    }
    if (!m.head_done && m.version != "HTTP/0.9") {
      if (m.status == 0) return;  // not even a status line
    }
    if (!m.head_done) {
      // Its head never completed (or it is an HTTP/0.9 response): it answers the next request.
      Pending* p = c_.find(c_.next_response_);
      if (!p) p = &c_.push_pending(false);
      c_.current_response_ = p->number;
      c_.next_response_ = p->number + 1;
    }
    Pending* p = c_.find(c_.current_response_);
    if (!p) return;
    p->response = std::move(m);
    c_.try_hand_on();
  }

  void on_opaque(std::string_view bytes, Micros at) override { c_.feed_opaque(1, bytes, at); }
  void on_opaque_gap(std::uint64_t length) override { c_.lose_opaque(1, length, 0); }
  void on_not_http(std::string_view why) override { c_.ignore(why); }

 private:
  HttpConnection& c_;
};

HttpConnection::HttpConnection(const ConnectionInfo& info, const HttpCaptureOptions& options, BodyBudget& budget,
                               CaptureOutput& output, const TlsFacts* tls, H2cUpgradeFactory h2c)
    : info_(info), options_(options), budget_(budget), output_(output), h2c_factory_(std::move(h2c)) {
  if (tls) tls_ = *tls;
  if (info.saw_syn) {
    roles_decided_ = true;
    client_side_ = Side::originator;
  }
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::decide_roles(Side side, std::string_view first_bytes) {
  roles_decided_ = true;
  const std::string_view head = first_bytes.substr(0, 16);
  // A whole first line says it all; a line still being sent must at least
  // start like a request (a token and a space: text from a server mid-body
  // could too, so the whole line wins when there is one).
  const std::size_t lf = first_bytes.find('\n');
  const bool whole_line = lf != std::string_view::npos && lf < HttpMessageParser::kMaxLineBytes;
  const bool request_line = whole_line ? parse_request_line(first_bytes.substr(0, lf)).has_value()
                                       : could_start_request(head) && head.size() >= 4;
  if (head.size() >= 5 && head.substr(0, 5) == "HTTP/") {
    client_side_ = other(side);
  } else if (request_line) {
    client_side_ = side;
  } else {
    // Mid-stream with nothing to tell by: the side on a server-like port is the server.
    const Endpoint& mine = side == Side::originator ? info_.originator : info_.responder;
    const Endpoint& theirs = side == Side::originator ? info_.responder : info_.originator;
    const bool mine_server = well_known_server_port(mine.port) && !well_known_server_port(theirs.port);
    client_side_ = mine_server ? other(side) : side;
  }
}

HttpMessageParser* HttpConnection::parser_for(Side side) {
  if (!request_parser_) {
    client_ = client_side_ == Side::originator ? info_.originator : info_.responder;
    server_ = client_side_ == Side::originator ? info_.responder : info_.originator;
    request_events_ = std::make_unique<RequestEvents>(*this);
    response_events_ = std::make_unique<ResponseEvents>(*this);
    request_parser_ = std::make_unique<HttpMessageParser>(HttpMessageParser::Kind::request, *request_events_,
                                                          options_.max_body_bytes, &budget_, info_.saw_syn);
    response_parser_ = std::make_unique<HttpMessageParser>(HttpMessageParser::Kind::response, *response_events_,
                                                           options_.max_body_bytes, &budget_, info_.saw_syn);
  }
  return side == client_side_ ? request_parser_.get() : response_parser_.get();
}

void HttpConnection::on_data(Side side, std::string_view bytes, Micros at) {
  if (ignored_) return;
  if (!roles_decided_) decide_roles(side, bytes);
  HttpMessageParser* parser = parser_for(side);
  if (side != client_side_ && !client_ended_ && parser->between_messages() && !find(next_response_)) {
    if (early_response_.size() + bytes.size() <= kMaxEarlyResponse &&
        early_response_charge_.take(&budget_, bytes.size()) == bytes.size()) {
      if (early_response_.empty()) early_response_at_ = at;
      early_response_.append(bytes);
      return;
    }
    release_early_response();
  }
  parser->feed(bytes, at);
}

void HttpConnection::release_early_response() {
  early_response_charge_.release();
  const std::string bytes = std::move(early_response_);
  early_response_.clear();
  if (!bytes.empty() && !ignored_) response_parser_->feed(bytes, early_response_at_);
}

void HttpConnection::on_gap(Side side, std::uint64_t length, Micros at) {
  if (ignored_ || !roles_decided_) return;
  if (side != client_side_) release_early_response();
  parser_for(side)->gap(length, at);
}

void HttpConnection::on_end(Side side, StreamEnd how, Micros at) {
  if (roles_decided_ && side != client_side_) server_end_ = how;
  if (ignored_ || !request_parser_) return;
  if (side == client_side_) {
    client_ended_ = true;
    request_parser_->finish(how == StreamEnd::fin, ended_phrase(how), at);
    release_early_response();
    return;
  }
  release_early_response();
  response_parser_->finish(how == StreamEnd::fin, ended_phrase(how), at);
}

void HttpConnection::on_close(Micros at) {
  if (request_parser_) {
    release_early_response();
    request_parser_->finish(false, ended_phrase(StreamEnd::capture_end), at);
    response_parser_->finish(false, ended_phrase(StreamEnd::capture_end), at);
  }
  try_hand_on();
  if (h2c_) h2c_->on_close(at);
  const std::string no_response =
      !server_end_ || *server_end_ == StreamEnd::capture_end
          ? std::string("no response in capture")
          : std::string("no response in capture (") + ended_phrase(*server_end_) + ")";
  while (!pending_.empty()) {
    hand_on(pending_.front(), no_response);
    pending_.pop_front();
    ++first_number_;
  }
  if (websocket_exchange_) {
    for (int d = 0; d < 2; ++d) {
      if (!websocket_[d]) continue;
      if (Status s = websocket_[d]->finish(); !s.is_ok() && websocket_error_.empty())
        websocket_error_ = std::string(d == 0 ? "client" : "server") + " WebSocket frames: " + s.message();
    }
    if (!websocket_error_.empty())
      websocket_exchange_->error += (websocket_exchange_->error.empty() ? "" : "; ") + websocket_error_;
    output_.exchange(std::move(*websocket_exchange_));
    websocket_exchange_.reset();
  }
}

HttpConnection::Pending* HttpConnection::find(std::uint64_t number) {
  if (number < first_number_ || number - first_number_ >= pending_.size()) return nullptr;
  return &pending_[static_cast<std::size_t>(number - first_number_)];
}

HttpConnection::Pending& HttpConnection::push_pending(bool has_request) {
  if (pending_.size() >= options_.max_waiting_requests) {
    // Too many unanswered (a capture of one direction only): hand the oldest on.
    Pending& oldest = pending_.front();
    hand_on(oldest, "no response in capture");
    if (next_response_ == first_number_) ++next_response_;
    pending_.pop_front();
    ++first_number_;
  }
  Pending& p = pending_.emplace_back();
  p.number = next_number_++;
  p.has_request = has_request;
  if (!has_request) next_response_ = std::max(next_response_, p.number);
  return p;
}

void HttpConnection::try_hand_on() {
  while (!pending_.empty()) {
    Pending& p = pending_.front();
    const bool request_over = !p.has_request || p.request.has_value();
    if (!request_over || !p.response) break;
    if (p.protocol_switch == "websocket" && !websocket_exchange_) hold_websocket(p);
    else if (p.protocol_switch == "h2c" && h2c_factory_ && !h2c_ && p.request) start_h2c(p);
    else hand_on(p, "");
    if (!p.protocol_switch.empty()) release_early_opaque();
    pending_.pop_front();
    ++first_number_;
  }
}

void HttpConnection::hand_on(Pending& p, const std::string& error) {
  CapturedExchange c;
  c.client = client_;
  c.server = server_;
  c.request = p.has_request && p.request ? &*p.request : nullptr;
  c.response = p.response ? &*p.response : nullptr;
  if (p.has_request && !p.request) return;  // a request whose line never arrived whole
  c.informational = std::move(p.informational);
  c.protocol_switch = p.protocol_switch;
  c.tls = tls_ ? &*tls_ : nullptr;
  c.source_key = client_.to_string() + ">" + server_.to_string() + "@" + std::to_string(info_.opened_at) + "#" +
                 std::to_string(p.number);
  c.error = error;
  std::vector<std::string> caveats;
  Exchange ex = build_exchange(c, options_.max_body_bytes, caveats);
  for (std::string& caveat : caveats) output_.problem(c.source_key + ": " + caveat);
  output_.exchange(std::move(ex));
}

void HttpConnection::hold_websocket(Pending& p) {
  CapturedExchange c;
  c.client = client_;
  c.server = server_;
  c.request = &*p.request;
  c.response = &*p.response;
  c.protocol_switch = p.protocol_switch;
  c.tls = tls_ ? &*tls_ : nullptr;
  c.source_key = client_.to_string() + ">" + server_.to_string() + "@" + std::to_string(info_.opened_at) + "#" +
                 std::to_string(p.number);
  std::vector<std::string> caveats;
  websocket_exchange_ = build_exchange(c, options_.max_body_bytes, caveats);
  for (std::string& caveat : caveats) output_.problem(c.source_key + ": " + caveat);
  websocket_[0] = std::make_unique<WebSocketDecoder>(WebSocketMessage::Sender::client, options_.max_body_bytes,
                                                     options_.max_websocket_bytes);
  websocket_[1] = std::make_unique<WebSocketDecoder>(WebSocketMessage::Sender::server, options_.max_body_bytes,
                                                     options_.max_websocket_bytes);
}

void HttpConnection::start_h2c(Pending& p) {
  ConnectionInfo info = info_;
  info.originator = client_;
  info.responder = server_;
  info.saw_syn = true;
  h2c_ = h2c_factory_(info, std::move(*p.request));
}

void HttpConnection::release_early_opaque() {
  switch_pending_ = false;
  std::vector<EarlyOpaque> early = std::move(early_opaque_);
  early_opaque_.clear();
  early_opaque_bytes_ = 0;
  for (EarlyOpaque& e : early) {
    if (e.bytes.empty()) lose_opaque(e.direction, e.gap, e.at);
    else feed_opaque(e.direction, e.bytes, e.at);
  }
}

void HttpConnection::feed_opaque(int direction, std::string_view bytes, Micros at) {
  if (h2c_) return h2c_->on_data(direction == 0 ? Side::originator : Side::responder, bytes, at);
  if (switch_pending_) {
    // The 101 is not handed on yet (its request may still be coming): held,
    // up to a bound; past it, the bytes are lost and said so.
    if (early_opaque_bytes_ + bytes.size() <= kMaxEarlyResponse) {
      early_opaque_.push_back({direction, std::string(bytes), 0, at});
      early_opaque_bytes_ += bytes.size();
    } else {
      early_opaque_.push_back({direction, std::string(), bytes.size(), at});
    }
    return;
  }
  feed_websocket(direction, bytes, at);
}

void HttpConnection::lose_opaque(int direction, std::uint64_t length, Micros at) {
  if (h2c_) return h2c_->on_gap(direction == 0 ? Side::originator : Side::responder, length, at);
  if (switch_pending_) {
    early_opaque_.push_back({direction, std::string(), length, at});
    return;
  }
  lose_websocket(direction, length);
}

void HttpConnection::feed_websocket(int direction, std::string_view bytes, Micros at) {
  if (!websocket_exchange_ || !websocket_[direction]) return;  // a tunnel, or another protocol: skipped
  if (Status s = websocket_[direction]->feed(bytes, websocket_exchange_->websocket_messages, at); !s.is_ok()) {
    if (websocket_error_.empty())
      websocket_error_ = std::string(direction == 0 ? "client" : "server") + " WebSocket frames: " + s.message();
    websocket_[direction].reset();
  }
}

void HttpConnection::lose_websocket(int direction, std::uint64_t length) {
  if (websocket_[direction] && websocket_error_.empty())
    websocket_error_ = "the capture is missing " + std::to_string(length) + " bytes of the " +
                       (direction == 0 ? "client's" : "server's") + " WebSocket frames; its later messages are lost";
  websocket_[direction].reset();
}

void HttpConnection::switch_client(ClientNext next, Micros at) {
  client_next_ = next;
  if (next == ClientNext::http) request_parser_->resume(at);
  else request_parser_->become_opaque(at);
}

void HttpConnection::ignore(std::string_view why) {
  if (ignored_) return;
  ignored_ = true;
  output_.skipped(why);
}

StreamHandlerFactory http_connection_factory(const HttpCaptureOptions& options, BodyBudget& budget,
                                             CaptureOutput& output) {
  return [&options, &budget, &output](const ConnectionInfo& info) -> std::unique_ptr<StreamHandler> {
    return std::make_unique<HttpConnection>(info, options, budget, output);
  };
}

}  // namespace trafficdb
