// The text of a Charles JSON session export (.chlsj): a compact JSON
// writer, the ways Charles writes times, bodies and numbers, the parts of a
// transaction object that need no randomness (times, durations, speeds, a
// request or response), and counting the transactions of a file. Used by
// chlsj_workload (writing) and chlsj_bench (counting).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json_text.h"

namespace bench::chlsj_workload {

using Millis = std::int64_t;  // milliseconds since the Unix epoch

std::string base64(std::string_view in);

// Appends "2024-03-11T10:42:03.369+08:00", as Charles writes times (local
// time, here UTC+8).
void append_iso_time(std::string& out, Millis ms);

// Compact JSON writer: separators are added from the last character written,
// so fields can be appended in order without bookkeeping.
class JsonOut {
 public:
  explicit JsonOut(std::string& s) : s_(s) {}
  void key(std::string_view k) {
    sep();
    s_ += '"';
    s_ += k;
    s_ += "\":";
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(s_, v);
  }
  // A string of the base64 of `bytes` (no escaping needed).
  void base64(std::string_view k, std::string_view bytes) {
    key(k);
    s_ += '"';
    s_ += chlsj_workload::base64(bytes);
    s_ += '"';
  }
  void str_or_null(std::string_view k, const std::optional<std::string>& v) {
    if (v) str(k, *v);
    else null(k);
  }
  void null(std::string_view k) {
    key(k);
    s_ += "null";
  }
  void num(std::string_view k, std::int64_t v) {
    key(k);
    s_ += std::to_string(v);
  }
  // Older Charles exports write speeds and totalSize as strings.
  void num_maybe_string(std::string_view k, std::int64_t v, bool as_string) {
    key(k);
    if (as_string) s_ += '"';
    s_ += std::to_string(v);
    if (as_string) s_ += '"';
  }
  void num_or_null(std::string_view k, std::optional<std::int64_t> v) {
    if (v) num(k, *v);
    else null(k);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    s_ += v ? "true" : "false";
  }
  void time_or_null(std::string_view k, std::optional<Millis> v) {
    key(k);
    if (!v) {
      s_ += "null";
      return;
    }
    s_ += '"';
    append_iso_time(s_, *v);
    s_ += '"';
  }
  void open_object(std::string_view k) {
    key(k);
    s_ += '{';
  }
  void open_object() {
    sep();
    s_ += '{';
  }
  void open_array(std::string_view k) {
    key(k);
    s_ += '[';
  }
  void close_object() { s_ += '}'; }
  void close_array() { s_ += ']'; }

 private:
  void sep() {
    if (!s_.empty() && s_.back() != '{' && s_.back() != '[') s_ += ',';
  }
  std::string& s_;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A message body as it goes into the export.
struct BodyOut {
  enum class Form { none, text, base64 } form = Form::none;
  std::string payload;  // the text, or the raw bytes to base64-encode
  bool decoded = false;
  std::optional<std::string> content_encoding;
  std::optional<std::string> mime_type;
  std::optional<std::string> charset;
  std::int64_t wire_size = 0;  // sizes.body
};

// sizes.headers of a message: its first line and headers with CRLFs.
std::int64_t headers_size(const std::optional<std::string>& first_line, const HeaderList& headers);

// "times" and "durations" of a transaction (null where a phase did not happen).
void times_and_durations(JsonOut& j, Millis start, std::optional<Millis> request_begin,
                         std::optional<Millis> request_complete, std::optional<Millis> response_begin, Millis end,
                         std::optional<std::int64_t> dns, std::optional<std::int64_t> connect,
                         std::optional<std::int64_t> ssl);

// "speeds" and "totalSize" (numbers, or strings as older exports write them).
void speeds_and_total(JsonOut& j, std::int64_t total_size, std::int64_t request_bytes, std::int64_t response_bytes,
                      std::int64_t total_ms, std::optional<std::int64_t> request_ms,
                      std::optional<std::int64_t> response_ms, bool as_strings);

// "request" or "response" (`which`): sizes, types, header and body.
void write_message(JsonOut& j, const char* which, std::optional<int> status, std::optional<std::int64_t> handshake,
                   std::int64_t header_bytes, const BodyOut& body, const std::optional<std::string>& first_line,
                   const HeaderList& headers);

// Counts the objects in the top-level array of the file at `path` (one
// pass, constant memory); this also brings the file into the page cache.
// Throws std::runtime_error when it cannot be read or is not a JSON array.
std::uint64_t count_transactions(const std::string& path);

}  // namespace bench::chlsj_workload
