#include "recorder/replay/replay_request.h"

#include <algorithm>

#include "common/ascii.h"
#include "recorder/url.h"

namespace trafficdb {
namespace {

// RFC 9110 token characters.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Headers that belong to one connection (RFC 9110 §7.6.1) or that are
// recomputed for the request as sent.
bool connection_specific(std::string_view name) {
  for (std::string_view h : {"connection", "keep-alive", "proxy-connection", "proxy-authorization",
                             "proxy-authenticate", "transfer-encoding", "te", "trailer", "upgrade",
                             "content-length", "host", "http2-settings"})
    if (iequals(name, h)) return true;
  return false;
}

bool named_in(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return iequals(n, name); });
}

// The value of the Host header for `url`: host, with the port when it is not the scheme's default.
std::string host_header(const UrlParts& url) {
  const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port && url.port != default_port(url.scheme)) return host + ":" + std::to_string(*url.port);
  return host;
}

}  // namespace

Result<Header> parse_header_line(const std::string& line) {
  const auto colon = line.find(':');
  if (colon == std::string::npos)
    return Status::invalid_input("header '" + line + "' has no colon; write it as 'Name: value'");
  std::string name = line.substr(0, colon);
  std::string value = line.substr(colon + 1);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  if (!is_token(name)) return Status::invalid_input("'" + name + "' is not a header name");
  if (has_line_break(value)) return Status::invalid_input("the value of header '" + name + "' has a line break");
  return Header{name, value};
}

Result<Request> replay_request(const Request& stored, const ReplayChanges& changes) {
  Request out;
  out.method = changes.method ? ascii_upper(*changes.method) : stored.method;
  if (!is_token(out.method)) return Status::invalid_input("'" + out.method + "' is not an HTTP method");
  if (out.method == "CONNECT") return Status::invalid_input("a CONNECT tunnel cannot be replayed");

  out.url = changes.url ? *changes.url : stored.url;
  auto url = parse_url(out.url);
  if (!url.is_ok()) return Status::invalid_input("cannot replay to '" + out.url + "': " + url.status().message());
  if (url->scheme != "http" && url->scheme != "https")
    return Status::invalid_input("cannot replay to '" + out.url + "': only absolute http:// and https:// URLs");
  if (url->host.empty()) return Status::invalid_input("cannot replay to '" + out.url + "': it names no host");
  out.scheme = url->scheme;
  out.host = url->host;
  out.port = url->port ? url->port : default_port(url->scheme);
  out.path = url->path;
  out.query = url->query;
  out.http_version = "HTTP/1.1";

  const bool body_changed = changes.body.has_value();
  if (body_changed) {
    out.body.data = *changes.body;
  } else {
    const Body& b = stored.body;
    if (!b.captured)
      return Status::invalid_input("the stored request body was not captured; give the body to send");
    if (b.size && *b.size > static_cast<std::int64_t>(b.data.size()))
      return Status::invalid_input("the stored request body is incomplete (" + std::to_string(b.data.size()) +
                                   " of " + std::to_string(*b.size) + " bytes were stored); give the body to send");
    out.body.data = b.data;
  }
  out.body.size = static_cast<std::int64_t>(out.body.data.size());
  out.body.wire_size = out.body.size;

  for (const Header& h : changes.set_headers) {
    if (!is_token(h.name)) return Status::invalid_input("'" + h.name + "' is not a header name");
    if (has_line_break(h.value))
      return Status::invalid_input("the value of header '" + h.name + "' has a line break");
  }
  const auto set_host = std::find_if(changes.set_headers.begin(), changes.set_headers.end(),
                                     [](const Header& h) { return iequals(h.name, "host"); });
  out.headers.push_back({"Host", set_host != changes.set_headers.end() ? set_host->value : host_header(*url)});
  std::string cookies;
  for (const Header& h : stored.headers) {
    if (h.name.empty() || h.name.front() == ':' || connection_specific(h.name)) continue;
    if (named_in(changes.remove_headers, h.name)) continue;
    if (std::any_of(changes.set_headers.begin(), changes.set_headers.end(),
                    [&](const Header& s) { return iequals(s.name, h.name); }))
      continue;
    if (iequals(h.name, "content-encoding")) continue;  // stored bodies are decoded; a given one is sent as given
    if (has_line_break(h.value)) continue;
    if (iequals(h.name, "cookie")) {
      cookies += (cookies.empty() ? "" : "; ") + h.value;
      continue;
    }
    out.headers.push_back(h);
  }
  if (!cookies.empty()) out.headers.push_back({"Cookie", cookies});
  for (const Header& h : changes.set_headers)
    if (!iequals(h.name, "host") && !connection_specific(h.name)) out.headers.push_back(h);
  if (!out.body.data.empty() || (out.method != "GET" && out.method != "HEAD" && out.method != "OPTIONS"))
    out.headers.push_back({"Content-Length", std::to_string(out.body.data.size())});
  if (auto type = find_header(out.headers, "content-type")) out.mime_type = std::string(*type);
  return out;
}

}  // namespace trafficdb
