#include "recorder/replay/http_replay_client.h"

#include <httplib.h>

#include <algorithm>

#include "common/timestamp.h"
#include "recorder/content_decoding.h"

namespace trafficdb {
namespace {

using Clock = std::chrono::steady_clock;

std::string origin(const Request& r) {
  const std::string host = r.host.find(':') != std::string::npos ? "[" + r.host + "]" : r.host;
  return r.scheme + "://" + host + ":" + std::to_string(r.port.value_or(r.scheme == "https" ? 443 : 80));
}

std::string why_no_response(httplib::Error e, const Request& r, std::chrono::milliseconds timeout) {
  const std::string seconds = std::to_string(timeout.count() / 1000.0);
  const std::string limit = seconds.substr(0, seconds.find('.') + 2) + " s";
  switch (e) {
    case httplib::Error::Connection: return "cannot connect to " + origin(r);
    case httplib::Error::ConnectionTimeout: return "connecting to " + origin(r) + " took longer than " + limit;
    case httplib::Error::Read: return "no complete response from " + origin(r) + " (closed, or nothing within " + limit + ")";
    case httplib::Error::Write: return "sending the request to " + origin(r) + " failed";
    case httplib::Error::SSLConnection: return "the TLS handshake with " + origin(r) + " failed";
    case httplib::Error::SSLServerVerification:
      return "the TLS certificate of " + origin(r) + " could not be verified (replay with insecure to skip the check)";
    case httplib::Error::SSLLoadingCerts: return "cannot load the system's CA certificates";
    default: return "the request to " + origin(r) + " failed: " + httplib::to_string(e);
  }
}

}  // namespace

Exchange send_replay(const Request& request, const ReplaySendOptions& options) {
  Exchange ex;
  ex.request = request;
  httplib::Client client(origin(request));
  const auto timeout_s = static_cast<time_t>(options.timeout.count() / 1000);
  const auto timeout_us = static_cast<time_t>((options.timeout.count() % 1000) * 1000);
  client.set_connection_timeout(timeout_s, timeout_us);
  client.set_read_timeout(timeout_s, timeout_us);
  client.set_write_timeout(timeout_s, timeout_us);
  client.set_follow_location(false);
  client.set_decompress(false);
  client.set_keep_alive(false);
  client.set_url_encode(false);
  client.enable_server_certificate_verification(options.verify_tls);

  httplib::Request req;
  req.method = request.method;
  req.path = request.path + (request.query ? "?" + *request.query : "");
  for (const Header& h : request.headers) req.headers.emplace(h.name, h.value);
  req.body = request.body.data;

  const auto deadline = Clock::now() + options.timeout;
  std::string kept;
  std::uint64_t received = 0;
  bool too_slow = false;
  std::optional<Micros> response_started;
  req.response_handler = [&](const httplib::Response&) {
    response_started = now_micros();
    return true;
  };
  req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
    received += n;
    if (kept.size() < options.max_body_bytes)
      kept.append(data, std::min<std::size_t>(n, options.max_body_bytes - kept.size()));
    if (Clock::now() > deadline) {
      too_slow = true;
      return false;
    }
    return true;
  };

  ex.timings.started = now_micros();
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  const bool answered = client.send(req, res, error);
  ex.timings.ended = now_micros();
  ex.timings.request_sent = ex.timings.started;

  // What the library added to the request (Accept, User-Agent, Connection ...).
  for (const auto& [name, value] : req.headers)
    if (!find_header(ex.request.headers, name)) ex.request.headers.push_back({name, value});

  if (!response_started) {
    ex.error = why_no_response(error, request, options.timeout);
    return ex;
  }
  ex.timings.response_started = response_started;
  Response& out = ex.response.emplace();
  out.status = res.status;
  out.status_text = res.reason;
  out.http_version = res.version.empty() ? "HTTP/1.1" : res.version;
  for (const auto& [name, value] : res.headers) out.headers.push_back({name, value});
  if (auto type = find_header(out.headers, "content-type")) out.mime_type = std::string(*type);

  const bool complete = answered && received == kept.size();
  const std::string encoding(find_header(out.headers, "content-encoding").value_or(""));
  out.body.wire_size = static_cast<std::int64_t>(received);
  if (!is_identity_encoding(encoding) && is_supported_content_encoding(encoding) && !kept.empty()) {
    auto decoded = decode_content(encoding, kept, options.max_body_bytes);
    if (decoded.is_ok()) {
      out.body.encoding = encoding;
      out.body.data = std::move(decoded->data);
      if (complete && !decoded->truncated && !decoded->incomplete)
        out.body.size = static_cast<std::int64_t>(out.body.data.size());
    } else {
      out.body.data = std::move(kept);  // stored as it came, its encoding said
      out.body.encoding = encoding;
      out.body.size = static_cast<std::int64_t>(received);
      ex.error = "the response body could not be decoded: " + decoded.status().message();
    }
  } else {
    out.body.data = std::move(kept);
    out.body.size = static_cast<std::int64_t>(received);
  }
  if (too_slow)
    ex.error = "the response body took longer than the timeout; the first " + std::to_string(received) +
               " bytes are kept";
  else if (!answered && ex.error.empty())
    ex.error = why_no_response(error, request, options.timeout) + "; the response was cut";
  return ex;
}

}  // namespace trafficdb
