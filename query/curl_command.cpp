#include "query/curl_command.h"

#include <algorithm>
#include <cctype>

#include "common/ascii.h"
#include "common/utf8.h"
#include "common/base64.h"
#include "query/body_redaction.h"

namespace trafficdb {
namespace {

bool skipped_header(const std::string& name, const std::string& value, const Request& rq) {
  const std::string n = ascii_lower(name);
  if (!n.empty() && n[0] == ':') return true;
  if (n == "content-length" || n == "connection" || n == "keep-alive" || n == "proxy-connection" ||
      n == "transfer-encoding" || n == "upgrade" || n == "te")
    return true;
  if (n == "host") {
    const std::string host = ascii_lower(value.substr(0, value.rfind(':') == std::string::npos ? value.size() : value.rfind(':')));
    return host == rq.host || ascii_lower(value) == rq.host;
  }
  return false;
}

}  // namespace

std::string shell_quote(std::string_view text) {
  // Control characters (and C1 controls) would act on a terminal showing the
  // command, so they go out as $'\xNN' escapes, never raw.
  bool plain = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f || (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                                  static_cast<unsigned char>(text[i + 1]) <= 0x9f))
      plain = false;
  }
  if (plain) {
    std::string out = "'";
    for (const char c : text) {
      if (c == '\'') out += "'\\''";
      else out += c;
    }
    return out + "'";
  }
  static const char* hex = "0123456789abcdef";
  std::string out = "$'";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

std::string curl_command(const Exchange& exchange, bool redact, const RedactionRules& rules) {
  const Request& rq = exchange.request;
  std::string cmd;
  const bool binary_body = !rq.body.data.empty() && !looks_like_text(rq.body.data);
  if (binary_body) cmd += "printf %s " + shell_quote(base64_encode(rq.body.data)) + " | base64 -d | ";
  cmd += "curl";
  if (rq.method != "GET" || !rq.body.data.empty()) cmd += " -X " + shell_quote(rq.method);
  cmd += " " + shell_quote(redact ? redact_url(rq.url, rules) : rq.url);
  if (rq.http_version == "HTTP/2" || rq.http_version == "h2") cmd += " --http2";
  for (const Header& h : rq.headers) {
    if (skipped_header(h.name, h.value, rq)) continue;
    const std::string value = redact ? redact_header_value(h.name, h.value, rules) : h.value;
    cmd += " \\\n  -H " + shell_quote(h.name + ": " + value);
  }
  if (!rq.body.data.empty()) {
    if (binary_body) cmd += " \\\n  --data-binary @-";
    else {
      std::optional<RedactedBody> redacted;
      if (redact) redacted = redact_body(rq.body.data, find_header(rq.headers, "content-type").value_or(""), rules);
      cmd += " \\\n  --data-raw " + shell_quote(redacted ? redacted->text : rq.body.data);
    }
  }
  if (find_header(rq.headers, "accept-encoding")) cmd += " \\\n  --compressed";
  return cmd;
}

}  // namespace trafficdb
