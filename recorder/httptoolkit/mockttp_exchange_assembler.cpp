#include "recorder/httptoolkit/mockttp_exchange_assembler.h"

#include <algorithm>
#include <cctype>

namespace trafficdb::mockttp {

using nlohmann::json;

namespace {

std::string string_member(const json& object, const char* key) {
  const json* v = member(object, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

// What a held event costs in memory: its strings (bodies, mostly), keys,
// and a little per value.
std::uint64_t approximate_size(const json& value) {
  if (value.is_string()) return 32 + value.get_ref<const std::string&>().size();
  std::uint64_t n = 32;
  if (value.is_object())
    for (const auto& [key, child] : value.items()) n += key.size() + approximate_size(child);
  else if (value.is_array())
    for (const json& child : value) n += approximate_size(child);
  return n;
}

std::uint64_t message_bytes(const Headers& headers, const Body& body) {
  std::uint64_t n = body.data.size();
  for (const Header& h : headers) n += h.name.size() + h.value.size() + 32;
  return n;
}

json header_pairs(const Headers& headers) {
  json pairs = json::array();
  for (const Header& h : headers) pairs.push_back({h.name, h.value});
  return pairs;
}

// The strings cut under `prefix` ("/request"), with pointers relative to it.
EventCuts cuts_under(const EventCuts& cuts, const std::string& prefix) {
  EventCuts out;
  for (const auto& [pointer, length] : cuts)
    if (pointer.rfind(prefix + "/", 0) == 0) out.emplace_back(pointer.substr(prefix.size()), length);
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string client_error_text(const std::string& code, bool answered) {
  std::string text = "client error";
  if (code.rfind("HPE_", 0) == 0) text += ": the request is not valid HTTP (" + code + ")";
  else if (!code.empty()) text += ": " + code;
  return text + (answered ? "; Mockttp answered it with an error response"
                          : "; the connection was closed without a response");
}

std::string tls_failure_text(const std::string& cause) {
  std::string why;
  if (cause == "closed") why = "the client closed the connection during the handshake";
  else if (cause == "reset") why = "the client reset the connection during the handshake";
  else if (cause == "cert-rejected")
    why = "the client rejected the certificate it was shown (does it trust HTTP Toolkit's CA?)";
  else if (cause == "no-shared-cipher") why = "the client and the proxy have no cipher in common";
  else if (cause == "handshake-timeout") why = "the handshake timed out";
  else why = cause.empty() ? "no cause given" : cause;
  return "TLS handshake failed: " + why + (cause.empty() ? "" : " (" + cause + ")");
}

void merge_tags(std::vector<std::string>& into, const std::vector<std::string>& more) {
  for (const std::string& t : more)
    if (std::find(into.begin(), into.end(), t) == into.end()) into.push_back(t);
}

}  // namespace

MockttpExchangeAssembler::MockttpExchangeAssembler(AssemblerOptions options, ExchangeSink& sink,
                                                   std::function<void(const std::string&)> problem)
    : options_(options), sink_(sink), problem_(std::move(problem)) {}

Status MockttpExchangeAssembler::add(EventType type, json&& event, const EventCuts& cuts) {
  ++stats_.events;
  Status s = take(type, std::move(event), cuts);
  if (s.is_ok()) s = enforce_bounds();
  stats_.open = open_.size();
  return s;
}

Status MockttpExchangeAssembler::take(EventType type, json&& event, const EventCuts& cuts) {
  if (!event.is_object()) {
    drop_unreadable(type, std::string("it is ") + event.type_name() + ", not an object");
    return Status::ok();
  }
  switch (type) {
    case EventType::failed_client_request:
      return store_client_error(event, cuts);
    case EventType::failed_tls_request:
      return store_tls_failure(event);
    default:
      break;
  }
  const bool websocket_event = type == EventType::websocket_message_received ||
                               type == EventType::websocket_message_sent || type == EventType::websocket_close;
  const std::string id = string_member(event, websocket_event ? "streamId" : "id");
  if (id.empty()) {
    drop_unreadable(type, websocket_event ? "it has no streamId" : "it has no id");
    return Status::ok();
  }
  if (is_remembered(id)) {
    ++stats_.late;
    return Status::ok();
  }
  if (type == EventType::request_received || type == EventType::websocket_request)
    return open_request(type, id, event, cuts);

  const auto it = open_.find(id);
  const bool request_seen = it != open_.end() && it->second.exchange;
  if (request_seen) return continue_open(type, id, std::move(event), cuts);
  if (type == EventType::request_aborted) {
    // Aborted before its request event (its body never completed): the
    // abort carries the request's head, which is all there is.
    if (Status s = open_request(type, id, event, cuts); !s.is_ok()) return s;
    if (!open_.count(id)) {  // an event held for it ended it already
      ++stats_.late;
      return Status::ok();
    }
    return continue_open(type, id, std::move(event), cuts);
  }
  hold(id, type, std::move(event), cuts);
  return Status::ok();
}

MockttpExchangeAssembler::Open& MockttpExchangeAssembler::open_entry(const std::string& id) {
  auto [it, inserted] = open_.try_emplace(id);
  if (inserted) {
    it->second.seq = next_seq_++;
    it->second.gaps_before = gaps_.size();
    open_order_[it->second.seq] = id;
  }
  return it->second;
}

Status MockttpExchangeAssembler::open_request(EventType type, const std::string& id, const json& event,
                                              const EventCuts& cuts) {
  Open& open = open_entry(id);
  if (open.exchange) {
    drop_unreadable(type, "a second request event for id " + id);
    return Status::ok();
  }
  read_request(open, id, event, cuts);
  // Events that came before the request, in their order; one may end it.
  std::vector<HeldEvent> held = std::move(open.held);
  open.held.clear();
  for (const HeldEvent& h : held) {
    open.bytes -= h.bytes;
    stats_.open_bytes -= h.bytes;
  }
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (!open_.count(id)) {  // ended by an earlier one: the rest are late
      stats_.late += held.size() - i;
      break;
    }
    if (Status s = continue_open(held[i].type, id, std::move(held[i].event), held[i].cuts); !s.is_ok()) return s;
  }
  return Status::ok();
}

Status MockttpExchangeAssembler::continue_open(EventType type, const std::string& id, json&& event,
                                               const EventCuts& cuts) {
  Open& open = open_.at(id);
  switch (type) {
    case EventType::response_completed:
      read_response(open, event, cuts);
      return finish(id, "");
    case EventType::websocket_accepted:
      read_response(open, event, cuts);
      return Status::ok();
    case EventType::websocket_message_received:
    case EventType::websocket_message_sent:
      add_websocket_message(open, type, event, cuts);
      return Status::ok();
    case EventType::websocket_close: {
      json close = json::object();
      if (const json* code = member(event, "closeCode"); code && code->is_number_integer()) close["code"] = *code;
      close["reason"] = string_member(event, "closeReason");
      open.details["websocket_close"] = close;
      read_timings(open, event, "webSocketClose");
      return finish(id, "");
    }
    case EventType::request_aborted: {
      const std::string error = read_abort(open, event);
      return finish(id, error);
    }
    default:  // request events open; standalone failures never get here
      drop_unreadable(type, "unexpected for an open request");
      return Status::ok();
  }
}

void MockttpExchangeAssembler::read_timings(Open& open, const json& event, const char* where) {
  Caveats caveats;
  const TimingEvents t = TimingEvents::read(event, where, caveats);
  note(open, std::move(caveats));
  merge_tags(open.tags, tags_of(event));
  if (t.raw().is_null()) return;
  open.details["timing_events"] = t.raw();
  Timings& timings = open.exchange->timings;
  auto set = [](std::optional<Micros>& slot, std::optional<Micros> value) {
    if (value) slot = value;
  };
  set(timings.started, t.start());
  set(timings.request_sent, t.at("bodyReceivedTimestamp"));
  set(timings.response_started, t.at("headersSentTimestamp"));
  if (!timings.response_started) set(timings.response_started, t.at("wsAcceptedTimestamp"));
  for (const char* end : {"responseSentTimestamp", "abortedTimestamp", "wsClosedTimestamp", "failureTimestamp"}) {
    const auto at = t.at(end);
    if (at && (!timings.ended || *at > *timings.ended)) timings.ended = at;
  }
}

void MockttpExchangeAssembler::read_request(Open& open, const std::string& id, const json& event,
                                            const EventCuts& cuts) {
  Caveats caveats;
  open.exchange.emplace();
  Exchange& ex = *open.exchange;
  read_request_head(event, ex.request, caveats);
  // An abort, or a failed request, has no body field: the body was not seen.
  ex.request.body = wire_body(event, "body", cuts, ex.request.headers, options_.max_body_bytes, "request body", caveats);
  ex.client_addr = client_address(event);
  ex.server_addr = destination_address(event);
  ex.source_key = id;
  if (const std::string rule = string_member(event, "matchedRuleId"); !rule.empty()) open.details["matched_rule_id"] = rule;
  if (const std::string d = destination_text(event); !d.empty()) open.details["destination"] = d;
  if (const Headers trailers = raw_headers(event, "rawTrailers", "request", caveats); !trailers.empty())
    open.details["request_trailers"] = header_pairs(trailers);
  note(open, std::move(caveats));
  read_timings(open, event, "request");
  count_bytes(open, message_bytes(ex.request.headers, ex.request.body) + ex.request.url.size());
}

void MockttpExchangeAssembler::read_response(Open& open, const json& event, const EventCuts& cuts) {
  Caveats caveats;
  Response response;
  read_response_head(event, response, caveats);
  response.http_version = open.exchange->request.http_version;
  response.body = wire_body(event, "body", cuts, response.headers, options_.max_body_bytes, "response body", caveats);
  if (const Headers trailers = raw_headers(event, "rawTrailers", "response", caveats); !trailers.empty())
    open.details["response_trailers"] = header_pairs(trailers);
  count_bytes(open, message_bytes(response.headers, response.body));
  open.exchange->response = std::move(response);
  note(open, std::move(caveats));
  read_timings(open, event, "response");
}

std::string MockttpExchangeAssembler::read_abort(Open& open, const json& event) {
  read_timings(open, event, "requestAborted");
  std::string error = "aborted before its response completed";
  Caveats caveats;
  if (const auto e = json_field(event, "error", "requestAborted", caveats); e && e->is_object()) {
    json facts = json::object();
    for (const char* key : {"name", "code", "message"})
      if (const std::string v = string_member(*e, key); !v.empty()) facts[key] = v;
    if (!facts.empty()) open.details["abort_error"] = facts;
    if (facts.contains("message")) error += ": " + facts["message"].get<std::string>();
    if (facts.contains("code")) error += " (" + facts["code"].get<std::string>() + ")";
  }
  note(open, std::move(caveats));
  constexpr std::string_view upstream = "passthrough-error:";
  for (const std::string& tag : open.tags)
    if (tag.rfind(upstream, 0) == 0) error += "; the upstream connection failed (" + tag.substr(upstream.size()) + ")";
  return error;
}

void MockttpExchangeAssembler::add_websocket_message(Open& open, EventType type, const json& event,
                                                     const EventCuts& cuts) {
  Caveats caveats;
  WebSocketMessage m;
  m.sender = type == EventType::websocket_message_received ? WebSocketMessage::Sender::client
                                                           : WebSocketMessage::Sender::server;
  const json* binary = member(event, "isBinary");
  m.opcode = binary && binary->is_boolean() && binary->get<bool>() ? 2 : 1;
  m.payload = buffer_bytes(event, "content", cuts, options_.max_body_bytes, m.size, "WebSocket message", caveats);
  if (const json* at = member(event, "eventTimestamp"); at && at->is_number())
    m.at = TimingEvents::read(event, "WebSocket message", caveats).at_timestamp(at->get<double>());
  count_bytes(open, m.payload.size() + 64);
  open.exchange->websocket_messages.push_back(std::move(m));
  note(open, std::move(caveats));
}

Status MockttpExchangeAssembler::store_client_error(const json& event, const EventCuts& cuts) {
  const json* request = member(event, "request");
  const std::string id = request ? string_member(*request, "id") : "";
  if (id.empty()) {
    drop_unreadable(EventType::failed_client_request, "it has no request id");
    return Status::ok();
  }
  if (is_remembered(id)) {
    ++stats_.late;
    return Status::ok();
  }
  Open& open = open_entry(id);
  if (!open.exchange) read_request(open, id, *request, cuts_under(cuts, "/request"));
  const json* response = member(event, "response");
  if (response && response->is_object()) read_response(open, *response, cuts_under(cuts, "/response"));
  const std::string code = string_member(event, "errorCode");
  if (!code.empty()) open.details["client_error_code"] = code;
  return finish(id, client_error_text(code, response && response->is_object()));
}

Status MockttpExchangeAssembler::store_tls_failure(const json& event) {
  Open open;
  Caveats caveats;
  open.exchange.emplace();
  Exchange& ex = *open.exchange;
  ex.tunnel = true;
  ex.request.body.captured = false;
  const auto metadata = json_field(event, "tlsMetadata", "failedTlsRequest", caveats);
  const auto destination = destination_of(event);
  std::string host = destination ? destination->hostname : "";
  if (host.empty() && metadata) host = string_member(*metadata, "sniHostname");
  ex.request.host = lower(host);
  if (destination) ex.request.port = destination->port;
  ex.request.url = destination ? destination->text() : ex.request.host;
  ex.client_addr = client_address(event);
  ex.server_addr = destination_address(event);
  const std::string cause = string_member(event, "failureCause");
  open.details["tls_failure_cause"] = cause;
  if (metadata && !metadata->is_null()) open.details["tls_metadata"] = *metadata;
  if (!ex.request.url.empty()) open.details["destination"] = ex.request.url;
  note(open, std::move(caveats));
  read_timings(open, event, "failedTlsRequest");
  // Mockttp saw a CONNECT before the handshake when it notes the tunnel.
  if (open.details.contains("timing_events") && open.details["timing_events"].contains("tunnelTimestamp"))
    ex.request.method = "CONNECT";
  ex.source_key = "tls:" + ex.client_addr + "@" + (ex.timings.started ? std::to_string(*ex.timings.started) : "?");
  return store(std::move(open), tls_failure_text(cause));
}

void MockttpExchangeAssembler::hold(const std::string& id, EventType type, json&& event, const EventCuts& cuts) {
  Open& open = open_entry(id);
  const std::uint64_t bytes = approximate_size(event);
  count_bytes(open, bytes);
  open.held.push_back({type, std::move(event), cuts, bytes});
}

void MockttpExchangeAssembler::note(Open& open, Caveats&& caveats) {
  for (std::string& c : caveats) {
    if (open.caveats.size() < kMaxCaveats) open.caveats.push_back(std::move(c));
    else ++open.more_caveats;
  }
}

void MockttpExchangeAssembler::count_bytes(Open& open, std::uint64_t bytes) {
  open.bytes += bytes;
  stats_.open_bytes += bytes;
}

Status MockttpExchangeAssembler::finish(const std::string& id, const std::string& error) {
  auto it = open_.find(id);
  Open open = std::move(it->second);
  open_.erase(it);
  open_order_.erase(open.seq);
  stats_.open_bytes -= open.bytes;
  remember(id);
  stats_.unmatched += open.held.size();  // events its request never came for
  if (!open.exchange) return Status::ok();
  return store(std::move(open), error);
}

Status MockttpExchangeAssembler::store(Open&& open, const std::string& error) {
  Exchange& ex = *open.exchange;
  ex.error = error;
  // Each direction comes on its own subscription: put the two in time order.
  auto& messages = ex.websocket_messages;
  if (std::all_of(messages.begin(), messages.end(), [](const WebSocketMessage& m) { return m.at.has_value(); }))
    std::stable_sort(messages.begin(), messages.end(),
                     [](const WebSocketMessage& a, const WebSocketMessage& b) { return *a.at < *b.at; });
  if (!open.tags.empty()) open.details["tags"] = open.tags;
  if (open.more_caveats > 0) open.caveats.push_back("and " + std::to_string(open.more_caveats) + " more");
  if (!open.caveats.empty()) open.details["caveats"] = open.caveats;
  if (!open.details.empty()) ex.details = open.details.dump(-1, ' ', false, json::error_handler_t::replace);
  if (Status s = sink_.consume(std::move(ex)); !s.is_ok()) return s;
  ++stats_.stored;
  return Status::ok();
}

Status MockttpExchangeAssembler::enforce_bounds() {
  while (!open_order_.empty() && (open_.size() > options_.max_open || stats_.open_bytes > options_.max_open_bytes)) {
    const std::string id = open_order_.begin()->second;
    const Open& oldest = open_.at(id);
    const std::string why =
        open_.size() > options_.max_open
            ? "more than " + std::to_string(options_.max_open) + " requests and WebSockets were open at once"
            : "the open requests and WebSockets held more than " + bytes_text(options_.max_open_bytes);
    if (oldest.exchange) ++stats_.evicted;
    const std::string error = "not waited for any longer: " + why + " (the oldest is stored first)" + gap_note(oldest);
    if (Status s = finish(id, error); !s.is_ok()) return s;
  }
  return Status::ok();
}

Status MockttpExchangeAssembler::store_open(const std::string& error) {
  while (!open_order_.empty()) {
    const std::string id = open_order_.begin()->second;
    if (Status s = finish(id, error + gap_note(open_.at(id))); !s.is_ok()) return s;
  }
  stats_.open = 0;
  return Status::ok();
}

void MockttpExchangeAssembler::note_gap(Micros from, Micros to) { gaps_.emplace_back(from, to); }

std::string MockttpExchangeAssembler::gap_note(const Open& open) const {
  if (open.gaps_before >= gaps_.size()) return "";
  const auto& [from, to] = gaps_[open.gaps_before];
  const std::size_t more = gaps_.size() - open.gaps_before - 1;
  return "; the connection to Mockttp was down from " + format_iso8601(from) + " to " + format_iso8601(to) +
         (more > 0 ? " (and " + std::to_string(more) + " more times)" : "") + ", when its end may have come";
}

void MockttpExchangeAssembler::remember(const std::string& id) {
  if (options_.remembered_ids == 0 || !remembered_.insert(id).second) return;
  remembered_order_.push_back(id);
  if (remembered_order_.size() > options_.remembered_ids) {
    remembered_.erase(remembered_order_.front());
    remembered_order_.pop_front();
  }
}

void MockttpExchangeAssembler::drop_unreadable(EventType type, const std::string& why) {
  ++stats_.unreadable;
  if (problem_) problem_("dropped a " + std::string(event_name(type)) + " event: " + why);
}

}  // namespace trafficdb::mockttp
