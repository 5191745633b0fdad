// Charles JSON export text; see charles_json.h.

#include "charles_json.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <vector>

namespace bench::chlsj_workload {

std::string base64(std::string_view in) {
  static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8 |
                            static_cast<unsigned char>(in[i + 2]);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (const std::size_t rest = in.size() - i) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += rest == 2 ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void append_iso_time(std::string& out, Millis ms) {
  constexpr Millis kOffset = 8 * 3600 * 1000;
  const Millis local = ms + kOffset;
  const std::time_t seconds = static_cast<std::time_t>(local / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+08:00", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                              static_cast<int>(local % 1000));
  out.append(buf, static_cast<std::size_t>(n));
}

std::int64_t headers_size(const std::optional<std::string>& first_line, const HeaderList& headers) {
  std::int64_t n = first_line ? static_cast<std::int64_t>(first_line->size()) + 2 : 0;
  for (const auto& [name, value] : headers) n += static_cast<std::int64_t>(name.size() + value.size() + 4);
  return n + 2;
}

void times_and_durations(JsonOut& j, Millis start, std::optional<Millis> request_begin,
                         std::optional<Millis> request_complete, std::optional<Millis> response_begin, Millis end,
                         std::optional<std::int64_t> dns, std::optional<std::int64_t> connect,
                         std::optional<std::int64_t> ssl) {
  j.open_object("times");
  j.time_or_null("start", start);
  j.time_or_null("requestBegin", request_begin);
  j.time_or_null("requestComplete", request_complete);
  j.time_or_null("responseBegin", response_begin);
  j.time_or_null("end", end);
  j.close_object();
  auto diff = [](std::optional<Millis> a, std::optional<Millis> b) -> std::optional<std::int64_t> {
    if (!a || !b) return std::nullopt;
    return *b - *a;
  };
  j.open_object("durations");
  j.num("total", end - start);
  j.num_or_null("dns", dns);
  j.num_or_null("connect", connect);
  j.num_or_null("ssl", ssl);
  j.num_or_null("request", diff(request_begin, request_complete));
  j.num_or_null("response", response_begin ? std::optional<std::int64_t>(end - *response_begin) : std::nullopt);
  j.num_or_null("latency", diff(request_complete, response_begin));
  j.close_object();
}

void speeds_and_total(JsonOut& j, std::int64_t total_size, std::int64_t request_bytes, std::int64_t response_bytes,
                      std::int64_t total_ms, std::optional<std::int64_t> request_ms,
                      std::optional<std::int64_t> response_ms, bool as_strings) {
  auto speed = [](std::int64_t bytes, std::int64_t ms) { return ms > 0 ? bytes * 1000 / ms : bytes * 1000; };
  j.open_object("speeds");
  j.num_maybe_string("overall", speed(total_size, total_ms), as_strings);
  if (request_ms) j.num_maybe_string("request", speed(request_bytes, *request_ms), as_strings);
  else j.null("request");
  if (response_ms) j.num_maybe_string("response", speed(response_bytes, *response_ms), as_strings);
  else j.null("response");
  j.close_object();
  j.num_maybe_string("totalSize", total_size, as_strings);
}

void write_message(JsonOut& j, const char* which, std::optional<int> status, std::optional<std::int64_t> handshake,
                   std::int64_t header_bytes, const BodyOut& body, const std::optional<std::string>& first_line,
                   const HeaderList& headers) {
  j.open_object(which);
  if (status) j.num("status", *status);
  j.open_object("sizes");
  if (handshake) j.num("handshake", *handshake);
  j.num("headers", header_bytes);
  j.num("body", body.wire_size);
  j.close_object();
  j.str_or_null("mimeType", body.mime_type);
  j.str_or_null("charset", body.charset);
  j.str_or_null("contentEncoding", body.content_encoding);
  j.open_object("header");
  if (first_line) j.str("firstLine", *first_line);
  j.open_array("headers");
  for (const auto& [name, value] : headers) {
    j.open_object();
    j.str("name", name);
    j.str("value", value);
    j.close_object();
  }
  j.close_array();
  j.close_object();
  switch (body.form) {
    case BodyOut::Form::none: break;
    case BodyOut::Form::text:
      j.open_object("body");
      j.str("text", body.payload);
      if (body.charset) j.str("charset", *body.charset);
      if (body.decoded) j.boolean("decoded", true);
      j.close_object();
      break;
    case BodyOut::Form::base64:
      j.open_object("body");
      j.str("encoding", "base64");
      j.base64("encoded", body.payload);
      j.close_object();
      break;
  }
  j.close_object();
}

std::uint64_t count_transactions(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  std::vector<char> buf(1u << 20);
  std::uint64_t objects = 0;
  int depth = 0;
  bool in_string = false, escape = false, started = false;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw std::runtime_error(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      const char c = buf[static_cast<std::size_t>(i)];
      if (in_string) {
        if (escape) escape = false;
        else if (c == '\\') escape = true;
        else if (c == '"') in_string = false;
        continue;
      }
      if (!started) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c != '[') {
          ::close(fd);
          throw std::runtime_error(path + ": not a JSON array (not a Charles .chlsj)");
        }
        started = true;
        depth = 1;
        continue;
      }
      switch (c) {
        case '"': in_string = true; break;
        case '{':
          if (depth == 1) ++objects;
          ++depth;
          break;
        case '[': ++depth; break;
        case '}':
        case ']': --depth; break;
        default: break;
      }
    }
  }
  ::close(fd);
  if (!started || depth != 0) throw std::runtime_error(path + ": the JSON array is not closed");
  return objects;
}

}  // namespace bench::chlsj_workload
