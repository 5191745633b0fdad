#include "recorder/http1/http_head.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/ascii.h"

namespace trafficdb {
namespace {

constexpr std::size_t kMaxMethodLength = 64;

bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// "HTTP/d.d" at the start of `s`.
bool is_version(std::string_view s) {
  return s.size() == 8 && s.substr(0, 5) == "HTTP/" && s[5] >= '0' && s[5] <= '9' && s[6] == '.' && s[7] >= '0' &&
         s[7] <= '9';
}

}  // namespace

std::optional<std::string_view> next_line(std::string_view text, std::size_t& pos) {
  const std::size_t lf = text.find('\n', pos);
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view line = strip_cr(text.substr(pos, lf - pos));
  pos = lf + 1;
  return line;
}

std::optional<RequestLine> parse_request_line(std::string_view line) {
  line = strip_cr(line);
  std::size_t i = 0;
  while (i < line.size() && is_tchar(static_cast<unsigned char>(line[i]))) ++i;
  if (i == 0 || i > kMaxMethodLength || i == line.size() || !is_space(line[i])) return std::nullopt;
  RequestLine r;
  r.method = std::string(line.substr(0, i));
  while (i < line.size() && is_space(line[i])) ++i;
  const std::size_t target_start = i;
  while (i < line.size() && static_cast<unsigned char>(line[i]) > 0x20 && line[i] != 0x7F) ++i;
  if (i == target_start) return std::nullopt;
  r.target = std::string(line.substr(target_start, i - target_start));
  std::string_view rest = trim(line.substr(i));
  if (rest.empty()) {
    if (r.method != "GET") return std::nullopt;  // HTTP/0.9 knew only GET
    r.version = "HTTP/0.9";
    return r;
  }
  if (!is_version(rest)) return std::nullopt;
  r.version = std::string(rest);
  return r;
}

std::optional<MalformedRequestLine> parse_malformed_request_line(std::string_view line) {
  std::vector<std::string_view> tokens;
  line = trim(line);
  for (std::size_t i = 0; i < line.size();) {
    while (i < line.size() && is_space(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  if (tokens.empty() || tokens.size() > 8) return std::nullopt;
  MalformedRequestLine out;
  std::vector<std::string> problems;
  // "GET/path": no space after the method.
  std::size_t method_end = 0;
  while (method_end < tokens[0].size() && tokens[0][method_end] >= 'A' && tokens[0][method_end] <= 'Z') ++method_end;
  if (method_end == 0 || method_end > 20) return std::nullopt;
  std::string_view target;
  std::size_t next = 1;
  if (method_end < tokens[0].size()) {
    if (tokens[0][method_end] != '/') return std::nullopt;
    target = tokens[0].substr(method_end);
    problems.push_back("no space between the method and the target");
  } else {
    if (tokens.size() < 2) return std::nullopt;
    target = tokens[1];
    next = 2;
  }
  out.line.method = std::string(tokens[0].substr(0, method_end));
  // "/pathHTTP/1.1": no space before the version.
  std::string_view version;
  if (next == tokens.size()) {
    const std::size_t glued = target.rfind("HTTP/");
    if (glued != std::string_view::npos && glued > 0) {
      version = target.substr(glued);
      target = target.substr(0, glued);
      problems.push_back("no space between the target and the version");
    }
  } else {
    version = tokens[next++];
  }
  const bool connect = out.line.method == "CONNECT";
  const bool target_ok = !target.empty() && (target.front() == '/' || target == "*" ||
                                             target.find("://") != std::string_view::npos ||
                                             (connect && target.find(':') != std::string_view::npos));
  if (!target_ok) return std::nullopt;
  out.line.target = std::string(target);
  if (version.empty()) {
    out.line.version = "HTTP/0.9";
    problems.push_back("no HTTP version (an HTTP/0.9-style request line) with method " + out.line.method);
  } else if (is_version(version)) {
    out.line.version = std::string(version);
  } else if (version.substr(0, 5) == "HTTP/") {
    out.line.version = "HTTP/1.1";
    problems.push_back("malformed HTTP version '" + std::string(version.substr(0, 16)) + "' (read as HTTP/1.1)");
  } else {
    return std::nullopt;
  }
  if (next < tokens.size()) {
    const std::string_view extra = line.substr(static_cast<std::size_t>(tokens[next].data() - line.data()));
    problems.push_back("extra text after the version: '" + std::string(extra.substr(0, 40)) + "'");
  }
  if (problems.empty()) return std::nullopt;  // a well-formed line: parse_request_line's
  for (const std::string& p : problems) out.problem += (out.problem.empty() ? "" : "; ") + p;
  return out;
}

std::optional<StatusLine> parse_status_line(std::string_view line) {
  line = strip_cr(line);
  if (line.size() < 12 || !is_version(line.substr(0, 8)) || !is_space(line[8])) return std::nullopt;
  std::size_t i = 8;
  while (i < line.size() && is_space(line[i])) ++i;
  if (i + 3 > line.size()) return std::nullopt;
  int status = 0;
  for (int k = 0; k < 3; ++k) {
    const char c = line[i + k];
    if (c < '0' || c > '9') return std::nullopt;
    status = status * 10 + (c - '0');
  }
  if (status < 100) return std::nullopt;
  i += 3;
  if (i < line.size() && !is_space(line[i])) return std::nullopt;
  StatusLine s;
  s.version = std::string(line.substr(0, 8));
  s.status = status;
  s.reason = std::string(trim(line.substr(i)));
  return s;
}

bool could_start_request(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && i <= kMaxMethodLength && is_tchar(static_cast<unsigned char>(bytes[i]))) ++i;
  if (i == bytes.size()) return i <= kMaxMethodLength;  // still inside what could be a method
  return i > 0 && i <= kMaxMethodLength && is_space(bytes[i]);
}

bool could_start_response(std::string_view bytes) {
  constexpr std::string_view prefix = "HTTP/";
  const std::size_t n = std::min(bytes.size(), prefix.size());
  return bytes.substr(0, n) == prefix.substr(0, n);
}

Headers parse_header_lines(std::string_view lines) {
  Headers headers;
  std::size_t pos = 0;
  while (pos < lines.size()) {
    std::size_t lf = lines.find('\n', pos);
    if (lf == std::string_view::npos) lf = lines.size();
    const std::string_view line = strip_cr(lines.substr(pos, lf - pos));
    pos = lf + 1;
    if (line.empty()) continue;
    if (is_space(line.front())) {  // obsolete line folding
      if (!headers.empty()) {
        const std::string_view more = trim(line);
        if (!more.empty()) (headers.back().value += ' ') += more;
      }
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    if (name.empty()) continue;
    headers.push_back(Header{std::string(name), std::string(trim(line.substr(colon + 1)))});
  }
  return headers;
}

std::size_t find_head_end(std::string_view buffer, std::size_t from) {
  std::size_t pos = from;
  while (true) {
    const std::size_t lf = buffer.find('\n', pos);
    if (lf == std::string_view::npos) return std::string_view::npos;
    if (lf + 1 >= buffer.size()) return std::string_view::npos;  // too close to the end to tell yet
    if (buffer[lf + 1] == '\n') return lf + 2;
    if (buffer[lf + 1] == '\r') {
      if (lf + 2 >= buffer.size()) return std::string_view::npos;
      if (buffer[lf + 2] == '\n') return lf + 3;
    }
    pos = lf + 1;
  }
}

ContentLength content_length(const Headers& headers, std::uint64_t& length) {
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 62;
  std::optional<std::uint64_t> seen;
  for (const Header& h : headers) {
    if (!iequals(h.name, "Content-Length")) continue;
    std::string_view list = h.value;
    while (true) {
      const std::size_t comma = list.find(',');
      const std::string_view item = trim(list.substr(0, comma));
      if (item.empty()) return ContentLength::invalid;
      std::uint64_t value = 0;
      for (char c : item) {
        if (c < '0' || c > '9') return ContentLength::invalid;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
        if (value >= kLimit) return ContentLength::invalid;
      }
      if (seen && *seen != value) return ContentLength::invalid;
      seen = value;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (!seen) return ContentLength::absent;
  length = *seen;
  return ContentLength::valid;
}

std::optional<bool> chunked_is_final(const Headers& headers) {
  std::optional<bool> result;
  for (const Header& h : headers) {
    if (!iequals(h.name, "Transfer-Encoding")) continue;
    std::string_view value = trim(h.value);
    if (value.empty()) continue;
    const std::size_t comma = value.rfind(',');
    std::string_view last = trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
    if (const std::size_t semicolon = last.find(';'); semicolon != std::string_view::npos)
      last = trim(last.substr(0, semicolon));
    result = iequals(last, "chunked");
  }
  return result;
}

std::optional<std::uint64_t> parse_chunk_size(std::string_view line) {
  line = trim(line);
  std::uint64_t size = 0;
  std::size_t digits = 0, i = 0;
  while (i < line.size() && line[i] == '0') ++i, ++digits;
  std::size_t significant = 0;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else break;
    if (++significant > 15) return std::nullopt;  // past 2^60
    size = size << 4 | static_cast<std::uint64_t>(v);
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  const std::string_view rest = trim(line.substr(i));
  if (!rest.empty() && rest.front() != ';') return std::nullopt;
  return size;
}

}  // namespace trafficdb
