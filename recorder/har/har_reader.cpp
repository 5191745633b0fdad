#include "recorder/har/har_reader.h"

#include <cmath>
#include <cstdio>

#include "recorder/content_decoding.h"
#include "recorder/export_fields.h"
#include "recorder/json_import_loop.h"
#include "recorder/url.h"

namespace trafficdb {
namespace {

using nlohmann::json;

std::string percent_encode_form(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else if (c == ' ') out += '+';
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string format_server_addr(const std::string& ip, std::optional<int> port) {
  if (ip.empty()) return "";
  const bool v6 = ip.find(':') != std::string::npos && ip.front() != '[';
  std::string out = v6 ? "[" + ip + "]" : ip;
  if (port) out += ":" + std::to_string(*port);
  return out;
}

void read_request_body(const json& request, const JsonElement& element, std::uint64_t max_body_bytes,
                       Request& out, Caveats& caveats) {
  Body& body = out.body;
  body.wire_size = size_field(request, "bodySize", "request", caveats);
  body.encoding = std::string(find_header(out.headers, "content-encoding").value_or(""));
  const json* post = member(request, "postData");
  if (!post || !post->is_object()) {
    // No postData: an empty body when the size says so, else not captured.
    body.captured = !body.wire_size || *body.wire_size == 0;
    if (body.captured) body.size = 0;
    return;
  }
  if (auto mime = string_field(*post, "mimeType", "request.postData", caveats)) out.mime_type = *mime;
  if (const auto text = string_field(*post, "text", "request.postData", caveats)) {
    const auto encoding = string_field(*post, "encoding", "request.postData", caveats);
    body.data = text_field_bytes(*text, encoding == "base64", "request.postData.text", caveats);
    cap_body(body, cut_length(element, "/request/postData/text"), max_body_bytes, "request", caveats);
    return;
  }
  if (const json* params = member(*post, "params"); params && params->is_array()) {
    std::string form;
    for (const json& p : *params) {
      const json* name = member(p, "name");
      const json* value = member(p, "value");
      if (!name || !name->is_string()) continue;
      if (!form.empty()) form += '&';
      form += percent_encode_form(name->get<std::string>());
      if (value && value->is_string()) {
        form += '=';
        form += percent_encode_form(value->get<std::string>());
      }
    }
    body.data = std::move(form);
    cap_body(body, std::nullopt, max_body_bytes, "request", caveats);
    return;
  }
  body.captured = !body.wire_size || *body.wire_size == 0;
}

void read_response_body(const json& response, const JsonElement& element, const HarReaderOptions& options,
                        Response& out, Caveats& caveats) {
  Body& body = out.body;
  body.wire_size = size_field(response, "bodySize", "response", caveats);
  body.encoding = std::string(find_header(out.headers, "content-encoding").value_or(""));
  const json* content = member(response, "content");
  if (!content || !content->is_object()) {
    body.captured = body.wire_size && *body.wire_size == 0;
    if (body.captured) body.size = 0;
    return;
  }
  if (auto mime = string_field(*content, "mimeType", "response.content", caveats)) out.mime_type = *mime;
  const auto declared_size = size_field(*content, "size", "response.content", caveats);
  const auto text = string_field(*content, "text", "response.content", caveats);
  if (!text) {
    body.size = declared_size;
    body.captured = declared_size && *declared_size == 0;
    return;
  }
  const auto cut = cut_length(element, "/response/content/text");
  const auto encoding = string_field(*content, "encoding", "response.content", caveats);
  std::string bytes = text_field_bytes(*text, encoding == "base64", "response.content.text", caveats);
  set_export_body(body, std::move(bytes), cut, declared_size, options.max_body_bytes, "response", caveats);
}

void read_timings(const json& entry, Exchange& ex, Caveats& caveats) {
  if (const auto started = string_field(entry, "startedDateTime", "entry", caveats)) {
    ex.timings.started = parse_iso8601(*started);
    if (!ex.timings.started)
      caveats.push_back("startedDateTime '" + started->substr(0, 60) + "' is not ISO 8601; ignored");
  } else {
    caveats.push_back("startedDateTime missing");
  }
  if (!ex.timings.started) return;
  auto total = number_field(entry, "time", "entry", caveats);
  if (total && *total < 0) total.reset();  // -1: unknown
  ex.timings.ended = offset_micros(ex.timings.started, total, "time", caveats);
  if (!ex.timings.ended) total.reset();

  const json* t = member(entry, "timings");
  if (!t || !t->is_object()) return;
  auto phase = [&](const char* key) {
    const auto v = number_field(*t, key, "timings", caveats);
    return v && std::isfinite(*v) && *v > 0 ? *v : 0.0;
  };
  auto wait = number_field(*t, "wait", "timings", caveats);
  if (wait && *wait < 0) wait.reset();
  const double blocked = phase("blocked"), dns = phase("dns"), connect = phase("connect"),
               ssl = phase("ssl"), send = phase("send"), receive = phase("receive");
  // HAR says ssl is included in connect; Charles counts it apart. Whichever
  // makes the phases add up to `time` is the one this file means.
  const double main_sum = blocked + dns + connect + send + wait.value_or(0) + receive;
  const bool ssl_apart = ssl > 0 && total && std::abs(main_sum + ssl - *total) < std::abs(main_sum - *total);
  const double before_send = blocked + dns + connect + (ssl_apart ? ssl : 0) + send;
  ex.timings.request_sent = offset_micros(ex.timings.started, before_send, "timings before send", caveats);
  if (ex.response && wait) {
    ex.timings.response_started = offset_micros(ex.timings.request_sent, wait, "timings.wait", caveats);
    if (!ex.timings.ended)
      ex.timings.ended = offset_micros(ex.timings.response_started, receive, "timings.receive", caveats);
  }
}

// Converts one entry; returns nullopt when it cannot be stored.
EntryConversion convert_entry(const JsonElement& element, const HarReaderOptions& options) {
  EntryConversion out;
  Caveats& caveats = out.caveats;
  const json& entry = element.value;
  if (!entry.is_object()) {
    out.fatal.push_back(std::string("entry is ") + entry.type_name() + ", expected an object");
    return out;
  }
  const json* request = member(entry, "request");
  if (!request || !request->is_object()) {
    out.fatal.push_back("request missing or not an object");
    return out;
  }
  Exchange ex;
  const json* method = member(*request, "method");
  const json* url = member(*request, "url");
  if (!method || !method->is_string() || method->get_ref<const std::string&>().empty())
    out.fatal.push_back("request.method missing or not a string");
  if (!url || !url->is_string())
    out.fatal.push_back("request.url missing or not a string");
  if (!out.fatal.empty()) return out;

  if (const auto len = cut_length(element, "/request/url") ? cut_length(element, "/request/url")
                                                           : cut_length(element, "/request/method")) {
    out.fatal.push_back("request URL or method of " + bytes_text(*len) + " is longer than the limit");
    return out;
  }

  Request& req = ex.request;
  req.method = method->get<std::string>();
  req.url = url->get<std::string>();
  auto parts = parse_url(req.url);
  if (!parts.is_ok()) {
    out.fatal.push_back("request.url: " + parts.status().message());
    return out;
  }
  req.scheme = parts->scheme;
  req.host = parts->host;
  req.port = parts->port;
  req.path = parts->path;
  req.query = parts->query;
  req.http_version = string_field(*request, "httpVersion", "request", caveats).value_or("");
  req.headers = headers_field(*request, "headers", "request", caveats);
  read_request_body(*request, element, options.max_body_bytes, req, caveats);

  const json* response = member(entry, "response");
  const auto status =
      response ? status_code(number_field(*response, "status", "response", caveats), "response", caveats) : std::nullopt;
  if (response && response->is_object() && status) {
    Response resp;
    resp.status = *status;
    resp.status_text = string_field(*response, "statusText", "response", caveats).value_or("");
    resp.http_version = string_field(*response, "httpVersion", "response", caveats).value_or("");
    resp.headers = headers_field(*response, "headers", "response", caveats);
    read_response_body(*response, element, options, resp, caveats);
    ex.response = std::move(resp);
  } else {
    const json* error = response ? member(*response, "_error") : nullptr;
    ex.error = error && error->is_string() && !error->get_ref<const std::string&>().empty()
                   ? error->get<std::string>()
                   : "no response (HAR response status 0 or missing)";
  }

  if (const auto ip = string_field(entry, "serverIPAddress", "entry", caveats))
    ex.server_addr = format_server_addr(*ip, req.port);
  read_timings(entry, ex, caveats);
  ex.source_key = "entry:" + std::to_string(element.index);
  out.handled_cuts = {"/request/postData/text", "/response/content/text"};
  out.exchange = std::move(ex);
  return out;
}

}  // namespace

std::uint64_t har_max_string_bytes(const HarReaderOptions& options) {
  return options.max_body_bytes * 2 + 4096;
}

ImportReport read_har(BoundedJsonInput& input, ExchangeSink& sink, const HarReaderOptions& options,
                      const ImportProgress& progress) {
  const JsonImportSpec spec{{"log", "entries"}, "entry", "not a HAR file: no log.entries array",
                            2 * har_max_string_bytes(options) + (16ull << 20)};
  return import_json_array(
      input, spec, [&](const JsonElement& element) { return convert_entry(element, options); }, sink, progress);
}

}  // namespace trafficdb
