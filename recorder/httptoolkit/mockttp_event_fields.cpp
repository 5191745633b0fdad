#include "recorder/httptoolkit/mockttp_event_fields.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>

#include "common/base64.h"
#include "recorder/content_decoding.h"
#include "recorder/url.h"

namespace trafficdb::mockttp {

using nlohmann::json;

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::int64_t> content_length(const Headers& headers) {
  const auto value = find_header(headers, "Content-Length");
  if (!value) return std::nullopt;
  const std::string text = trimmed(*value);
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// "host:port", with brackets around an IPv6 address.
std::string host_port(const std::string& host, std::optional<std::int64_t> port) {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port) out += ":" + std::to_string(*port);
  return out;
}

std::optional<std::int64_t> integer_member(const json& object, const char* key) {
  const json* v = member(object, key);
  if (!v || !v->is_number()) return std::nullopt;
  const double d = v->get<double>();
  if (!std::isfinite(d) || d < 0 || d > 9.0e15) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// The base64 text of a Buffer field and, when the reader cut it, its whole
// length. Text cut mid-group is trimmed to whole groups so it still decodes.
struct Base64Text {
  const std::string* text = nullptr;
  std::optional<std::uint64_t> cut;
  std::size_t usable = 0;
};

std::optional<Base64Text> base64_text(const json& event, const char* key, const EventCuts& cuts, const char* which,
                                      Caveats& caveats) {
  const json* v = member(event, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    caveats.push_back(std::string(which) + " is " + v->type_name() + ", expected base64 text; not kept");
    return std::nullopt;
  }
  Base64Text t;
  t.text = &v->get_ref<const std::string&>();
  t.cut = cut_of(cuts, std::string("/") + key);
  t.usable = t.cut ? t.text->size() / 4 * 4 : t.text->size();
  return t;
}

std::optional<std::string> decode_base64(const Base64Text& t, const char* which, Caveats& caveats) {
  auto bytes = base64_decode(std::string_view(*t.text).substr(0, t.usable));
  if (bytes.is_ok()) return std::move(bytes).value();
  caveats.push_back(std::string(which) + " is not base64 (" + bytes.status().message() + "); not kept");
  return std::nullopt;
}

std::string cut_caveat(const char* which, std::uint64_t base64_length, std::size_t kept) {
  return std::string(which) + ": the event carried " + bytes_text(base64_length / 4 * 3) +
         " of it, more than the body limit; the first " + bytes_text(kept) + " were kept";
}

}  // namespace

std::optional<std::uint64_t> cut_of(const EventCuts& cuts, std::string_view pointer) {
  for (const auto& [p, length] : cuts)
    if (p == pointer) return length;
  return std::nullopt;
}

std::optional<json> json_field(const json& event, const char* key, const char* where, Caveats& caveats) {
  const json* v = member(event, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) return *v;
  json parsed = json::parse(v->get_ref<const std::string&>(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    caveats.push_back(std::string(where) + "." + key + " is not valid JSON text; ignored");
    return std::nullopt;
  }
  return parsed;
}

Headers raw_headers(const json& event, const char* key, const char* where, Caveats& caveats) {
  Headers headers;
  const auto list = json_field(event, key, where, caveats);
  if (!list || list->is_null()) return headers;
  if (!list->is_array()) {
    caveats.push_back(std::string(where) + "." + key + " is not a list of [name, value] pairs; ignored");
    return headers;
  }
  std::size_t skipped = 0;
  for (const json& pair : *list) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() ||
        !(pair[1].is_string() || pair[1].is_number())) {
      ++skipped;
      continue;
    }
    headers.push_back({pair[0].get<std::string>(), pair[1].is_string() ? pair[1].get<std::string>() : pair[1].dump()});
  }
  if (skipped > 0)
    caveats.push_back(std::string(where) + "." + key + ": " + std::to_string(skipped) +
                      " entries are not [name, value] pairs of text; skipped");
  return headers;
}

TimingEvents TimingEvents::read(const json& event, const char* where, Caveats& caveats) {
  TimingEvents t;
  auto raw = json_field(event, "timingEvents", where, caveats);
  if (!raw) return t;
  if (!raw->is_object()) {
    caveats.push_back(std::string(where) + ".timingEvents is not an object; ignored");
    return t;
  }
  t.raw_ = std::move(*raw);
  const json* start = member(t.raw_, "startTime");
  if (start && start->is_number()) {
    const double ms = start->get<double>();
    // Epoch milliseconds between 1970 and 2200.
    if (std::isfinite(ms) && ms > 0 && ms < 7.3e12) t.start_ = static_cast<Micros>(std::llround(ms * 1000));
  }
  if (!t.start_) caveats.push_back(std::string(where) + ".timingEvents has no usable startTime; times unknown");
  for (const char* base : {"startTimestamp", "connectTimestamp"}) {
    const json* b = member(t.raw_, base);
    if (b && b->is_number() && std::isfinite(b->get<double>())) {
      t.base_ = b->get<double>();
      break;
    }
  }
  return t;
}

std::optional<Micros> TimingEvents::at_timestamp(double timestamp) const {
  if (!start_ || !base_ || !std::isfinite(timestamp)) return std::nullopt;
  const double ms = timestamp - *base_;
  if (ms < 0 || ms > 3.2e11) return std::nullopt;  // before the start, or ten years after: broken
  return *start_ + static_cast<Micros>(std::llround(ms * 1000));
}

std::optional<Micros> TimingEvents::at(const char* key) const {
  const json* v = member(raw_, key);
  if (!v || !v->is_number()) return std::nullopt;
  return at_timestamp(v->get<double>());
}

Body wire_body(const json& event, const char* key, const EventCuts& cuts, const Headers& headers,
               std::uint64_t max_body_bytes, const char* which, Caveats& caveats) {
  Body body;
  if (const auto encoding = find_header(headers, "Content-Encoding")) body.encoding = trimmed(*encoding);
  const auto text = base64_text(event, key, cuts, which, caveats);
  std::optional<std::string> bytes = text ? decode_base64(*text, which, caveats) : std::nullopt;
  if (!bytes) {
    body.captured = false;
    return body;
  }
  const bool cut = text->cut.has_value();
  body.wire_size = cut ? content_length(headers) : std::optional<std::int64_t>(bytes->size());
  if (cut) caveats.push_back(cut_caveat(which, *text->cut, bytes->size()));

  if (is_identity_encoding(body.encoding) || bytes->empty()) {
    body.size = body.wire_size;
    body.data = std::move(*bytes);
  } else if (auto decoded = decode_content(body.encoding, *bytes, max_body_bytes); !decoded.is_ok()) {
    caveats.push_back(std::string(which) + " not decoded (" + decoded.status().message() + "); kept as sent");
    body.data = std::move(*bytes);
  } else {
    if (decoded->truncated)
      caveats.push_back(std::string(which) + " decodes to more than the body limit of " + bytes_text(max_body_bytes) +
                        "; cut there");
    else if (decoded->incomplete && !cut)
      caveats.push_back(std::string(which) + "'s " + body.encoding + " stream ends early; the " +
                        bytes_text(decoded->data.size()) + " it held are kept");
    if (!cut && !decoded->truncated && !decoded->incomplete) body.size = static_cast<std::int64_t>(decoded->data.size());
    body.data = std::move(decoded->data);
  }
  if (body.data.size() > max_body_bytes) body.data.resize(max_body_bytes);  // `size` keeps the whole
  return body;
}

std::string buffer_bytes(const json& event, const char* key, const EventCuts& cuts, std::uint64_t max_bytes,
                         std::int64_t& size, const char* which, Caveats& caveats) {
  size = 0;
  const auto text = base64_text(event, key, cuts, which, caveats);
  std::optional<std::string> bytes = text ? decode_base64(*text, which, caveats) : std::nullopt;
  if (!bytes) return {};
  size = static_cast<std::int64_t>(text->cut ? *text->cut / 4 * 3 : bytes->size());
  if (text->cut) caveats.push_back(cut_caveat(which, *text->cut, std::min<std::size_t>(bytes->size(), max_bytes)));
  if (bytes->size() > max_bytes) bytes->resize(max_bytes);
  return std::move(*bytes);
}

std::string http_version(std::string_view v) {
  if (v.empty()) return "";
  if (v == "2" || v == "2.0") return "HTTP/2";
  return "HTTP/" + std::string(v);
}

std::string client_address(const json& event) {
  const json* ip = member(event, "remoteIpAddress");
  if (!ip || !ip->is_string()) return "";
  std::string host = ip->get<std::string>();
  constexpr std::string_view mapped = "::ffff:";
  if (host.rfind(mapped, 0) == 0 && host.find('.') != std::string::npos) host = host.substr(mapped.size());
  return host_port(host, integer_member(event, "remotePort"));
}

std::string Destination::text() const { return host_port(hostname, port); }

std::optional<Destination> destination_of(const json& event) {
  const json* d = member(event, "destination");
  const json* host = d ? member(*d, "hostname") : nullptr;
  if (!host || !host->is_string()) return std::nullopt;
  Destination destination{host->get<std::string>(), std::nullopt};
  if (const auto port = integer_member(*d, "port"); port && *port <= 65535) destination.port = static_cast<int>(*port);
  return destination;
}

std::string destination_text(const json& event) {
  const auto d = destination_of(event);
  return d ? d->text() : "";
}

std::string destination_address(const json& event) {
  const auto d = destination_of(event);
  return d && is_ip_literal(d->hostname) ? d->text() : "";
}

void read_request_head(const json& event, Request& request, Caveats& caveats) {
  if (auto method = string_field(event, "method", "request", caveats)) request.method = std::move(*method);
  if (auto version = string_field(event, "httpVersion", "request", caveats)) request.http_version = http_version(*version);
  request.headers = raw_headers(event, "rawHeaders", "request", caveats);
  request.url = string_field(event, "url", "request", caveats).value_or("");
  auto parts = parse_url(request.url);
  if (parts.is_ok()) {
    request.scheme = std::move(parts->scheme);
    request.host = std::move(parts->host);
    request.port = parts->port;
    request.path = std::move(parts->path);
    request.query = std::move(parts->query);
    return;
  }
  if (!request.url.empty())
    caveats.push_back("request.url '" + request.url.substr(0, 200) + "' is not a URL (" + parts.status().message() + ")");
  request.path = string_field(event, "path", "request", caveats).value_or("");
}

void read_response_head(const json& event, Response& response, Caveats& caveats) {
  if (const auto status = status_code(number_field(event, "statusCode", "response", caveats), "response", caveats))
    response.status = *status;
  response.status_text = string_field(event, "statusMessage", "response", caveats).value_or("");
  response.headers = raw_headers(event, "rawHeaders", "response", caveats);
}

std::vector<std::string> tags_of(const json& event) {
  std::vector<std::string> tags;
  const json* list = member(event, "tags");
  if (!list || !list->is_array()) return tags;
  for (const json& t : *list)
    if (t.is_string()) tags.push_back(t.get<std::string>());
  return tags;
}

}  // namespace trafficdb::mockttp
