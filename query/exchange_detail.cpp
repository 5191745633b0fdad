#include "query/exchange_detail.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <tuple>
#include <utility>

#include "common/ascii.h"
#include "common/utf8.h"
#include "common/base64.h"
#include "query/body_redaction.h"
#include "query/json_nesting.h"

namespace trafficdb {
namespace {

// The charset parameter of a Content-Type value, lower-case; "" when none.
std::string charset_of(const std::string& content_type) {
  const std::string ct = ascii_lower(content_type);
  const std::size_t at = ct.find("charset=");
  if (at == std::string::npos) return "";
  std::string cs = ct.substr(at + 8);
  cs = cs.substr(0, cs.find(';'));
  cs.erase(std::remove(cs.begin(), cs.end(), '"'), cs.end());
  while (!cs.empty() && std::isspace(static_cast<unsigned char>(cs.back()))) cs.pop_back();
  return cs;
}

bool is_json_type(const std::string& content_type) {
  const std::string ct = ascii_lower(content_type.substr(0, content_type.find(';')));
  return ct.find("json") != std::string::npos;
}

// Converts `bytes` from `charset` to UTF-8 with iconv; nullopt when it
// cannot. A character cut at the end of `bytes` (a range's end) is left
// out: *consumed says how many input bytes were converted.
std::optional<std::string> to_utf8(std::string_view bytes, const std::string& charset, std::size_t* consumed) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(bytes.size() * 16 + 16, '\0');  // the widest charsets expand 12 times
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* outp = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &outp, &out_left);
  const int error = errno;
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1) && !(error == EINVAL && in_left < bytes.size())) return std::nullopt;
  out.resize(out.size() - out_left);
  *consumed = bytes.size() - in_left;
  return out;
}

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The range [offset, offset + max) of UTF-8 `text`, moved so that it splits
// no character: its start forward to a character's first byte, its end back
// to one (but past at least one whole character when max > 0).
std::pair<std::size_t, std::size_t> text_range(std::string_view text, std::size_t offset, std::size_t max) {
  std::size_t start = std::min(offset, text.size());
  while (start < text.size() && continuation_byte(text[start])) ++start;
  std::size_t end = start + std::min(max, text.size() - start);
  if (end < text.size()) {
    std::size_t cut = end;
    while (cut > start && continuation_byte(text[cut])) --cut;
    if (cut == start && max > 0) {  // one character wider than max: show it whole
      cut = start + 1;
      while (cut < text.size() && continuation_byte(text[cut])) ++cut;
    }
    end = cut;
  }
  return {start, end};
}

// Pretty-printing builds the whole document: only for bodies of modest size
// and nesting (nlohmann's printer recurses).
bool safe_to_pretty_print(const std::string& text) {
  return text.size() <= (1u << 20) && json_nesting_depth(text, 128) <= 128;
}

nlohmann::json headers_json(const Headers& headers) {
  nlohmann::json out = nlohmann::json::array();
  for (const Header& h : headers) out.push_back({h.name, h.value});
  return out;
}

nlohmann::json time_json(const std::optional<Micros>& t) {
  return t ? nlohmann::json(format_iso8601(*t)) : nlohmann::json(nullptr);
}

}  // namespace

BodyView view_body(const Body& body, bool stored_as_text, const std::string& content_type,
                   const DetailOptions& options) {
  BodyView v;
  v.size = body.decoded_size();
  if (!body.captured && body.data.empty()) {
    v.kind = v.size && *v.size == 0 ? "empty" : "not_captured";
    return v;
  }
  if (body.data.empty()) {
    v.kind = "empty";
    return v;
  }
  v.stored_partially = v.size && static_cast<std::size_t>(*v.size) > body.data.size();
  std::string_view data = body.data;
  const std::size_t max = options.max_body_bytes;
  std::optional<RedactedBody> redacted;
  if (stored_as_text || looks_like_text(data)) {
    v.kind = "text";
    if (options.redact && (redacted = redact_body(data, content_type, *options.rules))) {
      data = redacted->text;
      v.redacted = redacted->masked;
    }
    std::tie(v.offset, v.end) = text_range(data, options.body_offset, max);
    v.content = std::string(data.substr(v.offset, v.end - v.offset));
    const bool whole = v.offset == 0 && v.end == data.size();
    if (whole && options.pretty_json && is_json_type(content_type) && safe_to_pretty_print(v.content)) {
      const auto parsed = nlohmann::json::parse(v.content, nullptr, false);
      if (!parsed.is_discarded()) v.content = parsed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  } else if (const std::string cs = charset_of(content_type); !cs.empty() && cs != "utf-8" && cs != "utf8") {
    v.offset = std::min(options.body_offset, data.size());
    std::size_t consumed = 0;
    auto text = to_utf8(data.substr(v.offset, max), cs, &consumed);
    if (text && looks_like_text(*text)) {
      v.kind = "text";
      v.charset = cs;
      v.end = v.offset + consumed;
      v.content = std::move(*text);
      // The range counts in the stored bytes; the masking is of the text shown.
      if (options.redact) {
        if (auto masked = redact_body(v.content, content_type, *options.rules)) {
          v.content = std::move(masked->text);
          v.redacted = masked->masked;
        }
      }
    }
  }
  if (v.kind.empty()) {
    v.kind = "binary";
    v.offset = std::min(options.body_offset, data.size());
    v.end = v.offset + std::min(max, data.size() - v.offset);
    v.content = base64_encode(data.substr(v.offset, v.end - v.offset));
  }
  v.truncated = v.end < data.size();
  return v;
}

nlohmann::json body_view_to_json(const BodyView& v) {
  nlohmann::json j = {{"kind", v.kind}};
  if (v.size) j["size"] = *v.size;
  if (v.kind != "text" && v.kind != "binary") return j;
  j["offset"] = v.offset;
  j["end"] = v.end;
  if (v.truncated) j["next_offset"] = v.end;
  if (v.kind == "text") j["text"] = v.content;
  if (v.kind == "binary") j["base64"] = v.content;
  if (!v.charset.empty()) j["charset"] = v.charset;
  if (v.truncated) j["truncated"] = true;
  if (v.stored_partially) j["stored_partially"] = true;
  if (v.redacted) j["redacted"] = v.redacted;
  return j;
}

Result<std::optional<nlohmann::json>> exchange_detail_json(SQLite::Database& db, std::int64_t id,
                                                           const DetailOptions& options) {
  const DetailParts& parts = options.parts;
  auto loaded = load_exchange(db, id, parts.websocket ? options.max_websocket_messages : 0);
  if (!loaded.is_ok()) return loaded.status();
  if (!loaded->has_value()) return std::optional<nlohmann::json>();
  const StoredExchange& stored = **loaded;
  const Exchange& ex = stored.exchange;
  const Request& rq = ex.request;
  const RedactionRules& rules = *options.rules;

  nlohmann::json j;
  j["id"] = stored.id;
  j["session_id"] = stored.session_id;
  j["method"] = rq.method;
  j["url"] = options.redact ? redact_url(rq.url, rules) : rq.url;
  j["scheme"] = rq.scheme;
  j["host"] = rq.host;
  if (rq.port) j["port"] = *rq.port;
  j["path"] = rq.path;
  if (rq.query) j["query"] = options.redact ? redact_query_string(*rq.query, rules) : *rq.query;
  j["http_version"] = rq.http_version;
  if (parts.timings)
    j["timings"] = {{"started_at", time_json(ex.timings.started)},
                    {"request_sent_at", time_json(ex.timings.request_sent)},
                    {"response_started_at", time_json(ex.timings.response_started)},
                    {"ended_at", time_json(ex.timings.ended)},
                    {"duration_ms", stored.duration_ms ? nlohmann::json(std::round(*stored.duration_ms * 1000) / 1000)
                                                       : nlohmann::json(nullptr)}};
  const std::string req_type(find_header(rq.headers, "content-type").value_or(""));
  j["request"] = nlohmann::json::object();
  if (parts.request_headers)
    j["request"]["headers"] = headers_json(options.redact ? redact_headers(rq.headers, rules) : rq.headers);
  if (parts.request_body)
    j["request"]["body"] = body_view_to_json(view_body(rq.body, stored.req_body_is_text, req_type, options));
  if (ex.response) {
    const Response& rs = *ex.response;
    const std::string resp_type(find_header(rs.headers, "content-type").value_or(""));
    j["response"] = {{"status", rs.status}, {"status_text", rs.status_text}};
    if (parts.response_headers)
      j["response"]["headers"] = headers_json(options.redact ? redact_headers(rs.headers, rules) : rs.headers);
    if (parts.response_body)
      j["response"]["body"] = body_view_to_json(view_body(rs.body, stored.resp_body_is_text, resp_type, options));
  } else {
    j["response"] = nullptr;
  }
  if (!ex.error.empty()) j["error"] = ex.error;
  if (!ex.client_addr.empty()) j["client_addr"] = ex.client_addr;
  if (!ex.server_addr.empty()) j["server_addr"] = ex.server_addr;
  if (ex.tunnel) j["tunnel"] = true;
  if (!ex.source_key.empty()) j["source_key"] = ex.source_key;
  if (!ex.details.empty()) {
    const auto details = nlohmann::json::parse(ex.details, nullptr, false);
    if (!details.is_discarded()) j["details"] = details;
  }
  if (parts.websocket && stored.websocket_message_count > 0) {
    nlohmann::json messages = nlohmann::json::array();
    for (const WebSocketMessage& m : ex.websocket_messages) {
      Body payload;
      payload.data = m.payload;
      payload.size = m.size;
      DetailOptions message_options = options;
      message_options.max_body_bytes = options.max_message_bytes;
      message_options.body_offset = 0;
      nlohmann::json mj = body_view_to_json(view_body(payload, false, "", message_options));
      mj["sender"] = m.sender == WebSocketMessage::Sender::client ? "client" : "server";
      mj["opcode"] = m.opcode;
      if (m.at) mj["at"] = format_iso8601(*m.at);
      messages.push_back(std::move(mj));
    }
    j["websocket"] = {{"message_count", stored.websocket_message_count}, {"messages", messages}};
    if (static_cast<std::int64_t>(ex.websocket_messages.size()) < stored.websocket_message_count)
      j["websocket"]["truncated"] = true;
  }
  return std::optional<nlohmann::json>(std::move(j));
}

}  // namespace trafficdb
