#include "recorder/charles/charles_transaction.h"

#include <cmath>

#include "recorder/url.h"
#include "recorder/websocket_decoder.h"

namespace trafficdb {
namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

std::optional<Micros> time_field(const json& times, const char* key, Caveats& caveats) {
  const auto text = string_field(times, key, "times", caveats);
  if (!text) return std::nullopt;
  auto t = parse_iso8601(*text);
  if (!t) caveats.push_back(std::string("times.") + key + " '" + text->substr(0, 60) + "' is not ISO 8601; ignored");
  return t;
}

// "HTTP/1.1 200 Connection established" -> ("HTTP/1.1", "Connection established").
std::pair<std::string, std::string> split_status_line(const std::string& line) {
  const auto first = line.find(' ');
  if (first == std::string::npos) return {line, ""};
  const auto second = line.find(' ', first + 1);
  return {line.substr(0, first), second == std::string::npos ? "" : line.substr(second + 1)};
}

// "/127.0.0.1" -> "127.0.0.1"; "host.example/10.0.0.1" -> "10.0.0.1".
std::string address_part(const std::string& text) {
  const auto slash = text.rfind('/');
  return slash == std::string::npos ? text : text.substr(slash + 1);
}

std::string with_port(const std::string& ip, std::optional<int> port) {
  if (ip.empty()) return "";
  std::string out = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  if (port && *port > 0) out += ":" + std::to_string(*port);
  return out;
}

enum class BodyKind { http, tunnel, websocket };

// Reads message.body into `body`; for WebSockets, decodes the frames into `messages`.
void read_body(const json& message, const JsonElement& element, const char* which, BodyKind kind,
               const CharlesConversionOptions& options, Body& body, std::vector<WebSocketMessage>& messages,
               Caveats& caveats) {
  const std::string where = which;
  body.wire_size = member(message, "sizes") ? size_field(*member(message, "sizes"), "body", (where + ".sizes").c_str(), caveats)
                                            : std::nullopt;
  if (const auto enc = string_field(message, "contentEncoding", which, caveats)) body.encoding = *enc;
  const json* b = member(message, "body");
  if (!b || !b->is_object()) {
    // Charles leaves the body out when it is empty.
    body.captured = !body.wire_size || *body.wire_size == 0 || kind != BodyKind::http;
    if (body.captured) body.size = 0;
    if (kind == BodyKind::tunnel) body.captured = false;
    return;
  }
  const std::string pointer = "/" + where + "/body/";
  std::string bytes;
  std::optional<std::uint64_t> cut;
  bool decoded = false;
  if (const auto encoded = string_field(*b, "encoded", (where + ".body").c_str(), caveats)) {
    bytes = text_field_bytes(*encoded, true, (where + ".body.encoded").c_str(), caveats);
    cut = cut_length(element, pointer + "encoded");
  } else if (const auto text = string_field(*b, "text", (where + ".body").c_str(), caveats)) {
    bytes = *text;
    cut = cut_length(element, pointer + "text");
    const json* d = member(*b, "decoded");
    decoded = d && d->is_boolean() && d->get<bool>();
  }

  if (kind == BodyKind::tunnel) {  // TLS records: not worth storing, not text
    body.captured = false;
    body.size = body.wire_size ? body.wire_size : std::optional<std::int64_t>(static_cast<std::int64_t>(bytes.size()));
    return;
  }
  if (kind == BodyKind::websocket) {
    // Each direction keeps at most one body's worth of messages in all.
    WebSocketDecoder decoder(where == "request" ? WebSocketMessage::Sender::client : WebSocketMessage::Sender::server,
                             static_cast<std::size_t>(options.max_body_bytes),
                             static_cast<std::size_t>(options.max_body_bytes));
    Status s = decoder.feed(bytes, messages);
    if (s.is_ok()) s = decoder.finish();
    if (!s.is_ok()) caveats.push_back(s.message() + (cut ? " (the frames were cut at the body limit)" : ""));
    body.size = 0;  // the upgrade itself has no body; the frames are the messages
    return;
  }
  // With decoded: true the text is already decompressed whatever contentEncoding says.
  const std::string encoding = body.encoding;
  if (decoded) body.encoding.clear();
  set_export_body(body, std::move(bytes), cut, std::nullopt, options.max_body_bytes, which, caveats);
  body.encoding = encoding;
}

std::string details_of(const json& t, Caveats& caveats) {
  ordered_json d = ordered_json::object();
  if (const auto s = string_field(t, "status", "transaction", caveats)) d["charles_status"] = *s;
  for (const char* flag : {"keptAlive", "webSocket"}) {
    if (const json* v = member(t, flag); v && v->is_boolean()) d[flag] = v->get<bool>();
  }
  if (const json* ssl = member(t, "ssl"); ssl && ssl->is_object()) {
    ordered_json s = ordered_json::object();
    for (const char* k : {"protocol", "cipherSuite"})
      if (const auto v = string_field(*ssl, k, "ssl", caveats)) s[k] = *v;
    if (!s.empty()) d["ssl"] = s;
  }
  if (const json* alpn = member(t, "alpn"))
    if (const auto p = string_field(*alpn, "protocol", "alpn", caveats)) d["alpn"] = *p;
  if (const json* durations = member(t, "durations"); durations && durations->is_object()) {
    ordered_json ds = ordered_json::object();
    for (const char* k : {"total", "dns", "connect", "ssl", "request", "response", "latency"}) {
      const auto v = number_field(*durations, k, "durations", caveats);
      if (v && *v >= 0) ds[k] = *v;
    }
    if (!ds.empty()) d["durations_ms"] = ds;
  }
  if (const auto total = size_field(t, "totalSize", "transaction", caveats)) d["total_size"] = *total;
  if (const auto notes = string_field(t, "notes", "transaction", caveats)) d["notes"] = *notes;
  return d.empty() ? "" : d.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

bool charles_transaction_finished(const json& t) {
  const json* status = member(t, "status");
  if (status && status->is_string()) {
    const std::string& s = status->get_ref<const std::string&>();
    if (s == "COMPLETE" || s == "EXCEPTION") return true;
  }
  const json* times = member(t, "times");
  return times && member(*times, "end") != nullptr;
}

std::string charles_transaction_identity(const json& t) {
  std::string key;
  auto add = [&](const json* v) {
    if (v) key += v->is_string() ? v->get<std::string>() : v->dump();
    key += '\x1f';
  };
  // Only what is fixed when the request starts: actualPort, for one, may be
  // -1 while in flight and 443 once complete.
  for (const char* k : {"method", "scheme", "host", "path", "query", "clientAddress", "clientPort"}) add(member(t, k));
  const json* times = member(t, "times");
  add(times ? member(*times, "start") : nullptr);
  return key;
}

EntryConversion convert_charles_transaction(const JsonElement& element, const CharlesConversionOptions& options) {
  EntryConversion out;
  Caveats& caveats = out.caveats;
  const json& t = element.value;
  if (!t.is_object()) {
    out.fatal.push_back(std::string("transaction is ") + t.type_name() + ", expected an object");
    return out;
  }
  const auto method = string_field(t, "method", "transaction", caveats);
  const auto host = string_field(t, "host", "transaction", caveats);
  if (!method || method->empty()) out.fatal.push_back("method missing or not a string");
  if (!host || host->empty()) out.fatal.push_back("host missing or not a string");
  for (const char* p : {"/method", "/host", "/path", "/query"}) {
    if (const auto len = cut_length(element, p)) out.fatal.push_back(std::string(p + 1) + " of " + bytes_text(*len) + " is longer than the limit");
  }
  if (!out.fatal.empty()) return out;

  Exchange ex;
  Request& req = ex.request;
  req.method = *method;
  ex.tunnel = req.method == "CONNECT" || (member(t, "tunnel") && member(t, "tunnel")->is_boolean() && member(t, "tunnel")->get<bool>());
  const json* ws_flag = member(t, "webSocket");
  const bool websocket = ws_flag && ws_flag->is_boolean() && ws_flag->get<bool>();
  req.scheme = string_field(t, "scheme", "transaction", caveats).value_or("http");
  req.host = *host;
  for (const char* k : {"actualPort", "port"}) {
    const auto p = number_field(t, k, "transaction", caveats);
    if (p && *p > 0 && *p <= 65535) {
      req.port = static_cast<int>(*p);
      break;
    }
  }
  if (!req.port) req.port = default_port(req.scheme);
  req.http_version = string_field(t, "protocolVersion", "transaction", caveats).value_or("");

  const std::string host_part = req.host.find(':') != std::string::npos ? "[" + req.host + "]" : req.host;
  if (ex.tunnel) {
    req.path = "";
    req.url = host_part + ":" + std::to_string(req.port.value_or(443));
  } else {
    req.path = string_field(t, "path", "transaction", caveats).value_or("/");
    if (req.path.empty()) req.path = "/";
    if (auto q = string_field(t, "query", "transaction", caveats); q && !q->empty()) req.query = std::move(q);
    const bool default_p = req.port == default_port(req.scheme);
    req.url = req.scheme + "://" + host_part + (default_p || !req.port ? "" : ":" + std::to_string(*req.port)) +
              req.path + (req.query ? "?" + *req.query : "");
  }

  const BodyKind kind = ex.tunnel ? BodyKind::tunnel : websocket ? BodyKind::websocket : BodyKind::http;
  if (const json* request = member(t, "request"); request && request->is_object()) {
    if (const json* header = member(*request, "header"))
      req.headers = headers_field(*header, "headers", "request.header", caveats);
    if (const auto mime = string_field(*request, "mimeType", "request", caveats)) req.mime_type = *mime;
    read_body(*request, element, "request", kind, options, req.body, ex.websocket_messages, caveats);
  }

  const json* response = member(t, "response");
  const auto status =
      response ? status_code(number_field(*response, "status", "response", caveats), "response", caveats) : std::nullopt;
  if (response && response->is_object() && status) {
    Response resp;
    resp.status = *status;
    resp.http_version = req.http_version;
    if (const json* header = member(*response, "header")) {
      resp.headers = headers_field(*header, "headers", "response.header", caveats);
      if (const auto line = string_field(*header, "firstLine", "response.header", caveats)) {
        auto [version, reason] = split_status_line(*line);
        resp.http_version = version;
        resp.status_text = reason;
      }
    }
    if (const auto mime = string_field(*response, "mimeType", "response", caveats)) resp.mime_type = *mime;
    std::vector<WebSocketMessage> server_messages;
    read_body(*response, element, "response", kind, options, resp.body, server_messages, caveats);
    // Charles keeps each direction apart; without frame times, client
    // messages are listed before server ones.
    for (auto& m : server_messages) ex.websocket_messages.push_back(std::move(m));
    ex.response = std::move(resp);
  }

  if (const json* times = member(t, "times"); times && times->is_object()) {
    const auto start = time_field(*times, "start", caveats);
    ex.timings.started = start ? start : time_field(*times, "requestBegin", caveats);
    ex.timings.request_sent = time_field(*times, "requestComplete", caveats);
    ex.timings.response_started = time_field(*times, "responseBegin", caveats);
    ex.timings.ended = time_field(*times, "end", caveats);
  }
  if (!ex.timings.ended && ex.timings.started) {
    if (const json* durations = member(t, "durations")) {
      auto total = number_field(*durations, "total", "durations", caveats);
      if (total && *total < 0) total.reset();  // -1: unknown
      ex.timings.ended = offset_micros(ex.timings.started, total, "durations.total", caveats);
    }
  }

  if (const auto client = string_field(t, "clientAddress", "transaction", caveats)) {
    const auto port = number_field(t, "clientPort", "transaction", caveats);
    const bool valid_port = port && *port > 0 && *port <= 65535;
    ex.client_addr = with_port(address_part(*client), valid_port ? std::optional<int>(static_cast<int>(*port)) : std::nullopt);
  }
  if (const auto remote = string_field(t, "remoteAddress", "transaction", caveats))
    ex.server_addr = with_port(address_part(*remote), req.port);

  const std::string charles_status = string_field(t, "status", "transaction", caveats).value_or("");
  if (charles_status == "EXCEPTION") {
    ex.error = string_field(t, "errorMessage", "transaction", caveats).value_or("Charles reported an exception");
    if (ex.error.empty()) ex.error = "Charles reported an exception";
  } else if (!charles_transaction_finished(t)) {
    ex.error = "still in progress in Charles when exported (status " +
               (charles_status.empty() ? std::string("unknown") : charles_status) + ")";
  } else if (!ex.response) {
    ex.error = "no response";
  }
  ex.details = details_of(t, caveats);
  for (const char* p : {"/request/body/text", "/request/body/encoded", "/response/body/text", "/response/body/encoded"})
    out.handled_cuts.push_back(p);
  ex.source_key = "transaction:" + std::to_string(element.index);
  out.exchange = std::move(ex);
  return out;
}

}  // namespace trafficdb
