#include "recorder/har/har_reader.h"

#include <cmath>
#include <cstdio>

#include "common/utf8.h"
#include "recorder/base64.h"
#include "recorder/content_decoding.h"
#include "recorder/json_array_stream.h"
#include "recorder/url.h"

namespace trafficdb {
namespace {

using nlohmann::json;

// Collects what is wrong with one entry while it is converted.
struct EntryProblems {
  std::vector<std::string> fatal;     // the entry cannot be stored
  std::vector<std::string> caveats;   // stored, but something was lost
};

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::optional<std::string> string_field(const json& object, const char* key, const char* where,
                                        EntryProblems& problems) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    problems.caveats.push_back(std::string(where) + "." + key + " is " + v->type_name() +
                               ", expected a string; ignored");
    return std::nullopt;
  }
  return v->get<std::string>();
}

// Numbers, and numbers written as strings ("22284"), as some exporters do.
std::optional<double> number_field(const json& object, const char* key, const char* where,
                                   EntryProblems& problems) {
  const json* v = member(object, key);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d)) return d;
  }
  problems.caveats.push_back(std::string(where) + "." + key + " is " + v->type_name() +
                             ", expected a number; ignored");
  return std::nullopt;
}

// -1 (and any negative) means "unknown" in HAR.
std::optional<std::int64_t> size_field(const json& object, const char* key, const char* where,
                                       EntryProblems& problems) {
  const auto d = number_field(object, key, where, problems);
  if (!d || *d < 0 || *d > 9.0e15) return std::nullopt;
  return static_cast<std::int64_t>(*d);
}

Headers read_headers(const json& message, const char* where, EntryProblems& problems) {
  Headers headers;
  const json* list = member(message, "headers");
  if (!list) return headers;
  if (!list->is_array()) {
    problems.caveats.push_back(std::string(where) + ".headers is not an array; ignored");
    return headers;
  }
  for (const json& h : *list) {
    const json* name = member(h, "name");
    const json* value = member(h, "value");
    if (!name || !name->is_string()) {
      problems.caveats.push_back(std::string(where) + ".headers has an entry without a string name; skipped");
      continue;
    }
    std::string v;
    if (value && value->is_string()) v = value->get<std::string>();
    else if (value && value->is_number()) v = value->dump();
    headers.push_back({name->get<std::string>(), std::move(v)});
  }
  return headers;
}

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

bool was_cut(const JsonElement& element, const std::string& pointer, std::uint64_t& original) {
  for (const auto& [p, len] : element.cut_strings) {
    if (p == pointer) {
      original = len;
      return true;
    }
  }
  return false;
}

std::string bytes_text(std::uint64_t n) {
  char buf[32];
  if (n >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", n / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  return buf;
}

// The bytes of a HAR text field: base64-decoded when `encoding` says so.
std::string text_bytes(const std::string& text, const std::optional<std::string>& encoding, const char* where,
                       EntryProblems& problems) {
  if (!encoding || *encoding != "base64") return text;
  auto decoded = base64_decode(text);
  if (decoded.is_ok()) return std::move(decoded).value();
  problems.caveats.push_back(std::string(where) + ": " + decoded.status().message() + "; kept as text");
  return text;
}

// Keeps at most max_body_bytes of a body, recording its full size (when
// known) and saying what was cut. `cut_length` is set when the JSON string
// itself was already cut by the input: its length in the file.
void cap_body(Body& body, std::optional<std::uint64_t> cut_length, std::uint64_t max_body_bytes, const char* which,
              EntryProblems& problems) {
  if (!cut_length && body.data.size() <= max_body_bytes) return;
  // Without a declared size, a cut string's length in the file is the best
  // estimate of the body's (base64 and escapes make it an over-estimate).
  const std::string full = body.size ? bytes_text(static_cast<std::uint64_t>(*body.size))
                                     : cut_length ? "a string of " + bytes_text(*cut_length)
                                                  : bytes_text(body.data.size());
  if (!body.size) body.size = static_cast<std::int64_t>(cut_length ? *cut_length : body.data.size());
  problems.caveats.push_back(std::string(which) + " body of " + full + " cut to the body limit of " +
                             bytes_text(max_body_bytes));
  if (body.data.size() > max_body_bytes) body.data.resize(max_body_bytes);
}

// True when `bytes` are evidently still in `encoding`: gzip and zstd by their
// magic numbers, zlib-deflate by its header; br and raw deflate, which have
// none, only when the bytes are not text (compressed data never is).
bool looks_still_encoded(const std::string& encoding, std::string_view bytes) {
  if (is_identity_encoding(encoding) || !is_supported_content_encoding(encoding) || bytes.size() < 2) return false;
  const auto b0 = static_cast<unsigned char>(bytes[0]), b1 = static_cast<unsigned char>(bytes[1]);
  if (b0 == 0x1f && b1 == 0x8b) return true;
  if (bytes.size() >= 4 && b0 == 0x28 && b1 == 0xb5 && static_cast<unsigned char>(bytes[2]) == 0x2f &&
      static_cast<unsigned char>(bytes[3]) == 0xfd)
    return true;
  if ((b0 & 0x0f) == 8 && ((b0 << 8) | b1) % 31 == 0) return true;
  return !looks_like_text(bytes);
}

std::string format_server_addr(const std::string& ip, std::optional<int> port) {
  if (ip.empty()) return "";
  const bool v6 = ip.find(':') != std::string::npos && ip.front() != '[';
  std::string out = v6 ? "[" + ip + "]" : ip;
  if (port) out += ":" + std::to_string(*port);
  return out;
}

void read_request_body(const json& request, const JsonElement& element, std::uint64_t max_body_bytes,
                       Request& out, EntryProblems& problems) {
  Body& body = out.body;
  body.wire_size = size_field(request, "bodySize", "request", problems);
  body.encoding = std::string(find_header(out.headers, "content-encoding").value_or(""));
  const json* post = member(request, "postData");
  if (!post || !post->is_object()) {
    // No postData: an empty body when the size says so, else not captured.
    body.captured = !body.wire_size || *body.wire_size == 0;
    if (body.captured) body.size = 0;
    return;
  }
  if (auto mime = string_field(*post, "mimeType", "request.postData", problems)) out.mime_type = *mime;
  if (const auto text = string_field(*post, "text", "request.postData", problems)) {
    std::uint64_t original = 0;
    const bool cut = was_cut(element, "/request/postData/text", original);
    body.data = text_bytes(*text, string_field(*post, "encoding", "request.postData", problems),
                           "request.postData.text", problems);
    cap_body(body, cut ? std::optional<std::uint64_t>(original) : std::nullopt, max_body_bytes, "request", problems);
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
    return;
  }
  body.captured = !body.wire_size || *body.wire_size == 0;
}

void read_response_body(const json& response, const JsonElement& element, const HarReaderOptions& options,
                        Response& out, EntryProblems& problems) {
  Body& body = out.body;
  body.wire_size = size_field(response, "bodySize", "response", problems);
  body.encoding = std::string(find_header(out.headers, "content-encoding").value_or(""));
  const json* content = member(response, "content");
  if (!content || !content->is_object()) {
    body.captured = body.wire_size && *body.wire_size == 0;
    if (body.captured) body.size = 0;
    return;
  }
  if (auto mime = string_field(*content, "mimeType", "response.content", problems)) out.mime_type = *mime;
  const auto declared_size = size_field(*content, "size", "response.content", problems);
  const auto text = string_field(*content, "text", "response.content", problems);
  if (!text) {
    body.size = declared_size;
    body.captured = declared_size && *declared_size == 0;
    return;
  }
  std::uint64_t original = 0;
  const bool cut = was_cut(element, "/response/content/text", original);
  std::string bytes = text_bytes(*text, string_field(*content, "encoding", "response.content", problems),
                                 "response.content.text", problems);
  // Charles (and some others) write the body still content-encoded.
  if (!cut && looks_still_encoded(body.encoding, bytes)) {
    auto decoded = decode_content(body.encoding, bytes, options.max_body_bytes);
    if (decoded.is_ok()) {
      bytes = std::move(decoded->data);
      if (decoded->truncated) {
        body.size = declared_size;
        problems.caveats.push_back("response body decodes to more than the body limit of " +
                                   bytes_text(options.max_body_bytes) + "; cut there");
      }
    }
  }
  body.data = std::move(bytes);
  // The bytes in hand are the truth; the declared size only stands in for
  // bytes the file does not hold.
  if (cut) body.size = declared_size;
  cap_body(body, cut ? std::optional<std::uint64_t>(original) : std::nullopt, options.max_body_bytes, "response",
           problems);
}

void read_timings(const json& entry, Exchange& ex, EntryProblems& problems) {
  if (const auto started = string_field(entry, "startedDateTime", "entry", problems)) {
    ex.timings.started = parse_iso8601(*started);
    if (!ex.timings.started)
      problems.caveats.push_back("startedDateTime '" + started->substr(0, 60) + "' is not ISO 8601; ignored");
  } else {
    problems.caveats.push_back("startedDateTime missing");
  }
  if (!ex.timings.started) return;
  const Micros start = *ex.timings.started;
  const auto total = number_field(entry, "time", "entry", problems);
  if (total && *total >= 0) ex.timings.ended = start + static_cast<Micros>(std::llround(*total * 1000));

  const json* t = member(entry, "timings");
  if (!t || !t->is_object()) return;
  auto phase = [&](const char* key) {
    const auto v = number_field(*t, key, "timings", problems);
    return v && *v > 0 ? *v : 0.0;
  };
  const auto wait = number_field(*t, "wait", "timings", problems);
  const double blocked = phase("blocked"), dns = phase("dns"), connect = phase("connect"),
               ssl = phase("ssl"), send = phase("send"), receive = phase("receive");
  // HAR says ssl is included in connect; Charles counts it apart. Whichever
  // makes the phases add up to `time` is the one this file means.
  const double main_sum = blocked + dns + connect + send + (wait && *wait > 0 ? *wait : 0) + receive;
  const bool ssl_apart = ssl > 0 && total && std::abs(main_sum + ssl - *total) < std::abs(main_sum - *total);
  const double before_send = blocked + dns + connect + (ssl_apart ? ssl : 0) + send;
  ex.timings.request_sent = start + static_cast<Micros>(std::llround(before_send * 1000));
  if (ex.response && wait && *wait >= 0) {
    ex.timings.response_started = *ex.timings.request_sent + static_cast<Micros>(std::llround(*wait * 1000));
    if (!ex.timings.ended)
      ex.timings.ended = *ex.timings.response_started + static_cast<Micros>(std::llround(receive * 1000));
  }
}

// Converts one entry; returns nullopt when it cannot be stored.
std::optional<Exchange> convert_entry(const JsonElement& element, const HarReaderOptions& options,
                                      EntryProblems& problems) {
  const json& entry = element.value;
  if (!entry.is_object()) {
    problems.fatal.push_back(std::string("entry is ") + entry.type_name() + ", expected an object");
    return std::nullopt;
  }
  const json* request = member(entry, "request");
  if (!request || !request->is_object()) {
    problems.fatal.push_back("request missing or not an object");
    return std::nullopt;
  }
  Exchange ex;
  const json* method = member(*request, "method");
  const json* url = member(*request, "url");
  if (!method || !method->is_string() || method->get_ref<const std::string&>().empty())
    problems.fatal.push_back("request.method missing or not a string");
  if (!url || !url->is_string())
    problems.fatal.push_back("request.url missing or not a string");
  if (!problems.fatal.empty()) return std::nullopt;

  if (std::uint64_t len = 0; was_cut(element, "/request/url", len) || was_cut(element, "/request/method", len)) {
    problems.fatal.push_back("request URL or method of " + bytes_text(len) + " is longer than the limit");
    return std::nullopt;
  }

  Request& req = ex.request;
  req.method = method->get<std::string>();
  req.url = url->get<std::string>();
  auto parts = parse_url(req.url);
  if (!parts.is_ok()) {
    problems.fatal.push_back("request.url: " + parts.status().message());
    return std::nullopt;
  }
  req.scheme = parts->scheme;
  req.host = parts->host;
  req.port = parts->port;
  req.path = parts->path;
  req.query = parts->query;
  req.http_version = string_field(*request, "httpVersion", "request", problems).value_or("");
  req.headers = read_headers(*request, "request", problems);
  read_request_body(*request, element, options.max_body_bytes, req, problems);

  const json* response = member(entry, "response");
  const auto status = response ? number_field(*response, "status", "response", problems) : std::nullopt;
  if (response && response->is_object() && status && *status > 0) {
    Response resp;
    resp.status = static_cast<int>(*status);
    resp.status_text = string_field(*response, "statusText", "response", problems).value_or("");
    resp.http_version = string_field(*response, "httpVersion", "response", problems).value_or("");
    resp.headers = read_headers(*response, "response", problems);
    read_response_body(*response, element, options, resp, problems);
    ex.response = std::move(resp);
  } else {
    const json* error = response ? member(*response, "_error") : nullptr;
    ex.error = error && error->is_string() && !error->get_ref<const std::string&>().empty()
                   ? error->get<std::string>()
                   : "no response (HAR response status 0 or missing)";
  }

  if (const auto ip = string_field(entry, "serverIPAddress", "entry", problems))
    ex.server_addr = format_server_addr(*ip, req.port);
  read_timings(entry, ex, problems);
  ex.source_key = "entry:" + std::to_string(element.index);
  return ex;
}

std::string where(const JsonElement& element) {
  return "entry " + std::to_string(element.index) + " (byte " + std::to_string(element.offset) + ")";
}

}  // namespace

std::uint64_t har_max_string_bytes(const HarReaderOptions& options) {
  return options.max_body_bytes / 3 * 4 + 4096;
}

ImportReport read_har(BoundedJsonInput& input, ExchangeSink& sink, const HarReaderOptions& options,
                      const ImportProgress& progress) {
  ImportReport report;
  const std::uint64_t max_entry = 2 * har_max_string_bytes(options) + (16ull << 20);
  std::size_t since_progress = 0;

  auto on_entry = [&](JsonElement&& element) -> bool {
    if (element.oversized) {
      report.add_problem({where(element), "entry is larger than " + bytes_text(max_entry) + "; skipped", true});
      return true;
    }
    EntryProblems problems;
    std::optional<Exchange> ex = convert_entry(element, options, problems);
    for (const std::string& c : problems.caveats) report.add_problem({where(element), c, false});
    if (!ex) {
      std::string message;
      for (const std::string& f : problems.fatal) message += (message.empty() ? "" : "; ") + f;
      report.add_problem({where(element), message, true});
      return true;
    }
    if (Status s = sink.consume(std::move(*ex)); !s.is_ok()) {
      report.fatal = "stopped at " + where(element) + ": " + s.message();
      return false;
    }
    ++report.stored;
    if (progress && ++since_progress >= 256) {
      since_progress = 0;
      progress(input.offset(), report.stored);
    }
    return true;
  };

  auto result = stream_json_array(input, {"log", "entries"}, max_entry, on_entry);
  if (!result.is_ok()) {
    const std::size_t next = report.stored + report.rejected;
    report.fatal = result.status().message() + " (reading entry " + std::to_string(next) +
                   "; the entries before it were kept)";
  } else if (!result->array_found && !report.fatal) {
    report.fatal = "not a HAR file: no log.entries array";
  }
  if (progress) progress(input.offset(), report.stored);
  return report;
}

}  // namespace trafficdb
