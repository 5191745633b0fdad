#include "query/exchange_detail.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/ascii.h"
#include "common/utf8.h"
#include "common/base64.h"

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

// Converts `bytes` from `charset` to UTF-8 with iconv; nullopt when it cannot.
std::optional<std::string> to_utf8(std::string_view bytes, const std::string& charset) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(bytes.size() * 16 + 16, '\0');  // the widest charsets expand 12 times
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* outp = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &outp, &out_left);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

// Cuts UTF-8 text at `max` bytes without splitting a character.
std::string cut_text(const std::string& text, std::size_t max, bool& truncated) {
  if (text.size() <= max) return text;
  truncated = true;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// Pretty-printing builds the whole document: only for bodies of modest size
// and nesting (nlohmann's printer recurses).
bool safe_to_pretty_print(const std::string& text) {
  if (text.size() > (1u << 20)) return false;
  int depth = 0;
  bool in_string = false, escape = false;
  for (const char c : text) {
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > 128) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
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
  std::optional<std::string> text;
  if (stored_as_text || looks_like_text(body.data)) {
    text = body.data;
  } else if (const std::string cs = charset_of(content_type); !cs.empty() && cs != "utf-8" && cs != "utf8") {
    text = to_utf8(std::string_view(body.data).substr(0, options.max_body_bytes + 16), cs);
    if (text && looks_like_text(*text)) v.charset = cs;
    else text.reset();
  }
  if (text) {
    v.kind = "text";
    if (options.pretty_json && is_json_type(content_type) && safe_to_pretty_print(*text)) {
      const auto parsed = nlohmann::json::parse(*text, nullptr, false);
      if (!parsed.is_discarded()) text = parsed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    v.content = cut_text(*text, options.max_body_bytes, v.truncated);
    return v;
  }
  v.kind = "binary";
  const std::size_t shown = std::min(body.data.size(), options.max_body_bytes);
  v.truncated = shown < body.data.size();
  v.content = base64_encode(std::string_view(body.data).substr(0, shown));
  return v;
}

nlohmann::json body_view_to_json(const BodyView& v) {
  nlohmann::json j = {{"kind", v.kind}};
  if (v.size) j["size"] = *v.size;
  if (v.kind == "text") j["text"] = v.content;
  if (v.kind == "binary") j["base64"] = v.content;
  if (!v.charset.empty()) j["charset"] = v.charset;
  if (v.truncated) j["truncated"] = true;
  if (v.stored_partially) j["stored_partially"] = true;
  return j;
}

Result<std::optional<nlohmann::json>> exchange_detail_json(SQLite::Database& db, std::int64_t id,
                                                           const DetailOptions& options) {
  auto loaded = load_exchange(db, id, options.max_websocket_messages);
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
  j["timings"] = {{"started_at", time_json(ex.timings.started)},
                  {"request_sent_at", time_json(ex.timings.request_sent)},
                  {"response_started_at", time_json(ex.timings.response_started)},
                  {"ended_at", time_json(ex.timings.ended)},
                  {"duration_ms", stored.duration_ms ? nlohmann::json(std::round(*stored.duration_ms * 1000) / 1000)
                                                     : nlohmann::json(nullptr)}};
  const std::string req_type(find_header(rq.headers, "content-type").value_or(""));
  j["request"] = {{"headers", headers_json(options.redact ? redact_headers(rq.headers, rules) : rq.headers)},
                  {"body", body_view_to_json(view_body(rq.body, stored.req_body_is_text, req_type, options))}};
  if (ex.response) {
    const Response& rs = *ex.response;
    const std::string resp_type(find_header(rs.headers, "content-type").value_or(""));
    j["response"] = {{"status", rs.status},
                     {"status_text", rs.status_text},
                     {"headers", headers_json(options.redact ? redact_headers(rs.headers, rules) : rs.headers)},
                     {"body", body_view_to_json(view_body(rs.body, stored.resp_body_is_text, resp_type, options))}};
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
  if (stored.websocket_message_count > 0) {
    nlohmann::json messages = nlohmann::json::array();
    for (const WebSocketMessage& m : ex.websocket_messages) {
      Body payload;
      payload.data = m.payload;
      payload.size = m.size;
      DetailOptions message_options = options;
      message_options.max_body_bytes = options.max_message_bytes;
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
