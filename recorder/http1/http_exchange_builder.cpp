#include "recorder/http1/http_exchange_builder.h"

#include <nlohmann/json.hpp>

#include "recorder/content_decoding.h"
#include "recorder/export_fields.h"
#include "recorder/url.h"

namespace trafficdb {
namespace {

std::string authority_of(const Endpoint& server, std::string_view scheme) {
  const std::string ip = server.ip.family == 6 ? "[" + server.ip.to_string() + "]" : server.ip.to_string();
  return server.port == default_port(scheme).value_or(0) ? ip : ip + ":" + std::to_string(server.port);
}

void set_url(Request& req, const HttpMessage& m, const Endpoint& server, const TlsFacts* tls) {
  const std::string scheme = tls ? "https" : "http";
  req.scheme = scheme;
  const std::string& target = m.target;
  if (m.method == "CONNECT") {  // authority-form
    req.url = target;
    const std::size_t colon = target.rfind(':');
    req.host = target.substr(0, colon);
    if (req.host.size() > 1 && req.host.front() == '[' && req.host.back() == ']') req.host = req.host.substr(1, req.host.size() - 2);
    if (colon != std::string::npos) {
      try {
        req.port = std::stoi(target.substr(colon + 1));
      } catch (const std::exception&) {
      }
    }
    return;
  }
  std::string url;
  if (const std::size_t scheme_end = target.find("://"); scheme_end != std::string::npos) {
    // absolute-form, as sent to a proxy; the scheme is case-insensitive
    url = target;
    for (std::size_t i = 0; i < scheme_end; ++i) url[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(url[i])));
  } else {
    const auto host = find_header(m.headers, "Host");
    std::string authority = host && !host->empty() ? std::string(*host) : std::string();
    if (authority.empty() && tls && !tls->server_name.empty())
      authority = server.port == 443 ? tls->server_name : tls->server_name + ":" + std::to_string(server.port);
    if (authority.empty()) authority = authority_of(server, scheme);
    url = scheme + "://" + authority + (target == "*" ? "" : target);
  }
  req.url = url;
  if (auto parts = parse_url(url); parts.is_ok()) {
    req.scheme = parts->scheme.empty() ? scheme : parts->scheme;
    req.host = parts->host;
    req.port = parts->port;
    req.path = target == "*" ? "*" : parts->path;
    req.query = parts->query;
  } else {
    req.host = server.ip.to_string();
    req.port = server.port;
    const std::size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
  }
  if (!req.port) req.port = server.port;
}

std::string content_encoding(const Headers& headers) {
  const auto value = find_header(headers, "Content-Encoding");
  if (!value) return "";
  std::string s(*value);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

// The message's body with its content coding undone.
Body body_of(HttpMessage& m, std::size_t max_body_bytes, const char* which, std::vector<std::string>& caveats) {
  Body body;
  body.encoding = content_encoding(m.headers);
  body.wire_size = static_cast<std::int64_t>(m.body_length);
  const bool whole = !m.body_cut && m.body_missing == 0;
  if (m.body_cut)
    caveats.push_back(std::string(which) + " body of " + bytes_text(m.body_length) + " was cut to " +
                      bytes_text(m.body.size()));
  if (is_identity_encoding(body.encoding) || m.body.empty()) {
    body.data = std::move(m.body);
    body.size = static_cast<std::int64_t>(m.body_length);
    return body;
  }
  auto decoded = decode_content(body.encoding, m.body, max_body_bytes);
  if (!decoded.is_ok()) {
    // Kept as it arrived, still encoded.
    caveats.push_back(std::string(which) + " body not decoded: " + decoded.status().message());
    body.data = std::move(m.body);
    body.size = std::nullopt;
    return body;
  }
  body.data = std::move(decoded->data);
  if (decoded->truncated)
    caveats.push_back(std::string(which) + " body decodes to more than " + bytes_text(max_body_bytes) +
                      "; cut there");
  const bool fully_decoded = whole && !decoded->truncated && !decoded->incomplete;
  body.size = fully_decoded ? std::optional<std::int64_t>(static_cast<std::int64_t>(body.data.size())) : std::nullopt;
  return body;
}

void append_error(std::string& error, const std::string& more) {
  if (more.empty()) return;
  if (!error.empty()) error += "; ";
  error += more;
}

nlohmann::json headers_json(const Headers& headers) {
  nlohmann::json a = nlohmann::json::array();
  for (const Header& h : headers) a.push_back({h.name, h.value});
  return a;
}

// gRPC says how a call ended in grpc-status (trailers, or the headers of a
// trailers-only response): a non-zero status is the exchange's error.
void add_grpc_status(Exchange& ex, const HttpMessage& response) {
  const Response& res = *ex.response;
  auto status = find_header(response.trailers, "grpc-status");
  if (!status) status = find_header(res.headers, "grpc-status");
  if (!status || *status == "0") return;
  static const char* names[] = {"OK",          "CANCELLED",        "UNKNOWN",          "INVALID_ARGUMENT",
                                "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",   "PERMISSION_DENIED",
                                "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                                "UNIMPLEMENTED", "INTERNAL",      "UNAVAILABLE",      "DATA_LOSS",
                                "UNAUTHENTICATED"};
  std::string text = "gRPC status " + std::string(*status);
  int code = -1;
  if (status->size() <= 2 && !status->empty()) {
    code = 0;
    for (char c : *status) code = c >= '0' && c <= '9' ? code * 10 + (c - '0') : -1000;
  }
  if (code >= 0 && code < 17) text += std::string(" (") + names[code] + ")";
  auto message = find_header(response.trailers, "grpc-message");
  if (!message) message = find_header(res.headers, "grpc-message");
  if (message && !message->empty()) text += ": " + std::string(*message);
  append_error(ex.error, text);
}

}  // namespace

Exchange build_exchange(CapturedExchange& c, std::size_t max_body_bytes, std::vector<std::string>& caveats) {
  Exchange ex;
  ex.client_addr = c.client.to_string();
  ex.server_addr = c.server.to_string();
  ex.source_key = c.source_key;
  nlohmann::ordered_json details = nlohmann::ordered_json::object();

  if (HttpMessage* m = c.request) {
    Request& req = ex.request;
    req.method = m->method;
    req.http_version = m->version;
    set_url(req, *m, c.server, c.tls);
    req.body = body_of(*m, max_body_bytes, "request", caveats);
    req.headers = std::move(m->headers);
    ex.tunnel = m->method == "CONNECT" && c.response && c.response->status / 100 == 2;
    ex.timings.started = m->first_at;
    ex.timings.request_sent = m->last_at;
    if (!m->error.empty()) append_error(ex.error, "request: " + m->error);
    if (!m->trailers.empty()) details["request_trailers"] = headers_json(m->trailers);
  } else {
    // Only the response was captured: the request's method and target are unknown.
    ex.request.scheme = c.tls ? "https" : "http";
    ex.request.host = c.tls && !c.tls->server_name.empty() ? c.tls->server_name : c.server.ip.to_string();
    ex.request.port = c.server.port;
    ex.request.url = ex.request.scheme + "://" + authority_of(c.server, ex.request.scheme);
    ex.request.body.captured = false;
    append_error(ex.error, "no request in capture");
  }

  if (HttpMessage* m = c.response) {
    Response res;
    res.status = m->status;
    res.status_text = m->reason;
    res.http_version = m->version;
    res.body = body_of(*m, max_body_bytes, "response", caveats);
    res.headers = std::move(m->headers);
    ex.timings.response_started = m->first_at;
    ex.timings.ended = m->last_at;
    if (!ex.timings.started) ex.timings.started = m->first_at;
    if (!m->error.empty()) append_error(ex.error, "response: " + m->error);
    if (!m->trailers.empty()) details["response_trailers"] = headers_json(m->trailers);
    ex.response = std::move(res);
  } else {
    append_error(ex.error, c.error.empty() ? "no response in capture" : c.error);
    if (c.request) ex.timings.ended = c.request->last_at;
  }

  if (!c.informational.empty()) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const InformationalResponse& i : c.informational)
      list.push_back({{"status", i.status}, {"reason", i.reason}, {"at", format_iso8601(i.at)}});
    details["informational"] = std::move(list);
  }
  if (!c.protocol_switch.empty()) details["protocol_switch"] = c.protocol_switch;
  if (c.http2_stream) details["stream"] = c.http2_stream;
  if (c.pushed) details["pushed"] = true;
  if (c.tls) {
    nlohmann::ordered_json tls = {{"version", c.tls->version}, {"cipher_suite", c.tls->cipher_suite}};
    if (!c.tls->server_name.empty()) tls["sni"] = c.tls->server_name;
    if (!c.tls->alpn.empty()) tls["alpn"] = c.tls->alpn;
    details["tls"] = std::move(tls);
  }
  if (c.response) add_grpc_status(ex, *c.response);
  if (!details.empty()) ex.details = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return ex;
}

}  // namespace trafficdb
