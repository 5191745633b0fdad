// chlsj_bench: how fast `trafficdb import` reads a large Charles JSON session
// export (.chlsj) and how much memory it needs, next to the yardstick of
// Python's json.load on the same file (what the Python MCP wrappers do before
// any work).
//
// 1. Writes a realistic .chlsj of N transactions with a fixed-seed
//    std::mt19937_64, streaming (one transaction in memory at a time), or
//    reuses --file PATH. Not timed.
// 2. Runs `trafficdb --db <fresh temp db> import FILE --quiet` as a child
//    process (fork/exec + wait4): wall time, peak RSS (ru_maxrss) and CPU
//    time; checks the exit status and that the database holds one exchange
//    per transaction.
// 3. Runs `python3 -c 'import json,sys; json.load(open(sys.argv[1]))' FILE`
//    the same way.
// 4. Prints a summary and a JSON line ({"bench":"chlsj_import",...}).
// See bench/README.md.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#ifndef TRAFFICDB_BINARY
#error "TRAFFICDB_BINARY must name the trafficdb executable (set by bench/CMakeLists.txt)"
#endif

#include "bench_support.h"
#include "child_process.h"
#include "gzip.h"

using namespace bench;  // bench_support.h, child_process.h, gzip.h

namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::int64_t;  // milliseconds since the Unix epoch

constexpr const char* kPythonYardstick = "import json,sys; json.load(open(sys.argv[1]))";

// ---------------------------------------------------------------- options

struct Options {
  std::uint64_t count = 120000;
  bool count_given = false;
  std::string file;  // "" = temporary file, deleted afterwards
  bool keep = false;
  std::uint64_t repeat = 1;
  std::uint64_t seed = 1;
  std::string python = "python3";
};

void print_usage(std::ostream& out) {
  out << "usage: chlsj_bench [options]\n"
         "\n"
         "Writes a large realistic Charles JSON session export (.chlsj), imports it with\n"
         "`trafficdb import` into a fresh database, and loads it with Python's json.load,\n"
         "both as child processes; reports wall time, MB/s, exchanges/s and peak RSS of each.\n"
         "\n"
         "options:\n"
         "  --count N      transactions to generate (default 120000)\n"
         "  --file PATH    the .chlsj to use: reused as it is if it exists (its transactions\n"
         "                 are counted; every one must import cleanly), else generated there\n"
         "                 and kept. Default: a temporary file in $TMPDIR or /tmp, deleted after.\n"
         "  --keep         keep the temporary .chlsj and the last trafficdb database\n"
         "  --repeat R     rounds of trafficdb + python, alternating which goes first;\n"
         "                 reports medians (default 1)\n"
         "  --seed S       PRNG seed for the generated file (default 1)\n"
         "  --python CMD   the Python interpreter (default python3; resolved once to\n"
         "                 sys.executable so a pyenv shim is not timed)\n"
         "  --help         show this help\n"
         "\n"
         "trafficdb binary: " TRAFFICDB_BINARY "\n";
}

// Returns nullopt to go on, or the exit code to stop with.
std::optional<int> parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_usage(std::cout);
      return 0;
    }
    if (arg == "--keep") {
      o.keep = true;
      continue;
    }
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    auto number = [&](std::uint64_t& out, std::uint64_t min) -> bool {
      const auto v = value();
      if (!v || !parse_u64(*v, out) || out < min) {
        std::cerr << "chlsj_bench: " << arg << " needs an integer >= " << min << "\n";
        return false;
      }
      return true;
    };
    auto text = [&](std::string& out) -> bool {
      const auto v = value();
      if (!v || v->empty()) {
        std::cerr << "chlsj_bench: " << arg << " needs a value\n";
        return false;
      }
      out = std::string(*v);
      return true;
    };
    bool ok = true;
    if (arg == "--count") {
      ok = number(o.count, 1);
      o.count_given = true;
    } else if (arg == "--repeat") ok = number(o.repeat, 1);
    else if (arg == "--seed") ok = number(o.seed, 0);
    else if (arg == "--file") ok = text(o.file);
    else if (arg == "--python") ok = text(o.python);
    else {
      std::cerr << "chlsj_bench: unknown option " << arg << "\n";
      ok = false;
    }
    if (!ok) {
      print_usage(std::cerr);
      return 2;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- small helpers

// Appends `s` as a JSON string literal (UTF-8 passed through, as Charles does).
void json_string(std::string& out, std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the pending run of plain bytes
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

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

// "2024-03-11T10:42:03.369+08:00", as Charles writes times (local time, here UTC+8).
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
    json_string(s_, v);
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

// ---------------------------------------------------------------- generator

enum class HostKind { api, cdn, web, telemetry, auth };

struct Host {
  const char* name;
  const char* ip;
  HostKind kind;
};

// 30 hosts; API hosts dominate, as in a mobile or single-page app session.
const Host kHosts[] = {
    {"api.shopfront.example", "203.0.113.10", HostKind::api},
    {"api-v2.shopfront.example", "203.0.113.11", HostKind::api},
    {"graphql.example.com", "198.51.100.20", HostKind::api},
    {"search.example.com", "198.51.100.21", HostKind::api},
    {"payments.example.com", "198.51.100.22", HostKind::api},
    {"api.weather.example", "192.0.2.30", HostKind::api},
    {"feeds.example.news", "192.0.2.31", HostKind::api},
    {"chat.example.chat", "192.0.2.32", HostKind::api},
    {"files.example.dev", "192.0.2.33", HostKind::api},
    {"maps.example.com", "198.51.100.23", HostKind::api},
    {"esop-api-test.example.net", "172.30.49.201", HostKind::api},
    {"quote.example-broker.com", "172.30.49.202", HostKind::api},
    {"orders.example-broker.com", "172.30.49.203", HostKind::api},
    {"config.example-app.io", "203.0.113.40", HostKind::api},
    {"recommend.example.com", "198.51.100.24", HostKind::api},
    {"cdn.shopfront.example", "203.0.113.50", HostKind::cdn},
    {"images.example-cdn.net", "203.0.113.51", HostKind::cdn},
    {"static.example.net", "203.0.113.52", HostKind::cdn},
    {"edge.example-cdn.net", "203.0.113.53", HostKind::cdn},
    {"fonts.example-static.com", "203.0.113.54", HostKind::cdn},
    {"avatars.example.com", "203.0.113.55", HostKind::cdn},
    {"www.example.org", "192.0.2.60", HostKind::web},
    {"www.shopfront.example", "192.0.2.61", HostKind::web},
    {"help.example.com", "192.0.2.62", HostKind::web},
    {"status.other.org", "192.0.2.63", HostKind::web},
    {"telemetry.example.io", "198.51.100.70", HostKind::telemetry},
    {"metrics.example.io", "198.51.100.71", HostKind::telemetry},
    {"log.example-analytics.com", "198.51.100.72", HostKind::telemetry},
    {"auth.example.com", "198.51.100.80", HostKind::auth},
    {"login.example.id", "198.51.100.81", HostKind::auth},
};
constexpr std::size_t kHostCount = std::size(kHosts);

const char* const kResources[] = {"users",    "orders",   "products", "carts",   "sessions", "items",
                                  "accounts", "invoices", "messages", "events",  "quotes",   "positions"};
const char* const kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                              "india", "juliet", "kilo",   "lima"};
// Some non-ASCII text, as real payloads have.
const char* const kNames[] = {"Ada Lovelace", "Zürich Hbf", "Café Olé",  "東京都渋谷区", "Ελλάδα",
                              "São Paulo",    "Kraków",     "北京市",    "Grace Hopper", "Ångström"};
const char* const kUserAgents[] = {
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "okhttp/4.12.0",
    "ShopApp/5.3.1 (iPhone; iOS 17.3; Scale/3.00)",
    "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)"};
const char* const kLanguages[] = {"en-US,en;q=0.9", "zh-CN,zh;q=0.9,en;q=0.8", "de-DE,de;q=0.9,en;q=0.8",
                                  "en-GB"};
const char* const kServers[] = {"nginx/1.24.0", "cloudflare", "envoy", "Apache/2.4.58 (Debian)", "openresty",
                                "AmazonS3"};
const char* const kCiphers13[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
const char* const kCiphers12[] = {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};
const char* const kErrors[] = {"Connection reset",
                               "Remote host terminated the handshake",
                               "Read timed out",
                               "Connect timed out",
                               "No route to host (connect failed)",
                               "Received fatal alert: certificate_unknown"};
const char* const kTunnelNotes[] = {
    "SSL Proxying not enabled for this host: enable in Proxy Settings, SSL locations",
    "Transaction began prior to session being cleared, body content transmitted before the session clear has not "
    "been captured"};

std::string status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

struct GenStats {
  std::uint64_t transactions = 0;
  std::uint64_t tunnels = 0;
  std::uint64_t exceptions = 0;
  std::uint64_t http2 = 0;
  std::uint64_t request_bodies = 0;
  std::uint64_t response_bodies = 0;
  std::uint64_t response_body_bytes = 0;  // decoded
  std::uint64_t gzip_base64_bodies = 0;   // gzip, base64, not decoded: the importer inflates them
  std::uint64_t decoded_bodies = 0;       // "decoded": true with contentEncoding gzip
  std::uint64_t binary_bodies = 0;        // base64 images
  std::uint64_t string_numbers = 0;       // transactions with speeds/totalSize as strings
  std::uint64_t bytes = 0;
  double seconds = 0;
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

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  // Appends transaction `index` to `out` (a JSON object, no separator).
  void transaction(std::uint64_t index, std::string& out, GenStats& stats) {
    // Transactions start about every 3 ms, in order, as in an export.
    clock_ += static_cast<Millis>(range(0, 6));
    const Millis start = clock_;
    const std::uint64_t r = pick(1000);
    if (r < 20) {
      tunnel(start, out);
      ++stats.tunnels;
    } else {
      http(index, start, r < 25, out, stats);
    }
    ++stats.transactions;
  }

 private:
  static constexpr Millis kEpoch = 1710124923369;  // 2024-03-11T10:42:03.369+08:00

  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) { return lo + rng_() % (hi - lo + 1); }
  bool chance(std::uint64_t percent) { return pick(100) < percent; }
  template <typename T, std::size_t N>
  const T& one_of(const T (&items)[N]) {
    return items[pick(N)];
  }

  std::string hex(std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out(n, '0');
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i % 16 == 0) bits = rng_();
      out[i] = digits[bits & 15];
      bits >>= 4;
    }
    return out;
  }

  std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i % 8 == 0) bits = rng_();
      out[i] = static_cast<char>(bits & 0xff);
      bits >>= 8;
    }
    return out;
  }

  std::string uuid() { return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12); }

  // ---- bodies

  // JSON of about `target` bytes: a page of items with some nesting and
  // non-ASCII names.
  std::string json_body(std::size_t target) {
    std::string b;
    b.reserve(target + 256);
    b += "{\"code\":0,\"message\":\"success\",\"requestId\":\"" + uuid() + "\",\"data\":{\"total\":" +
         std::to_string(range(1, 5000)) + ",\"page\":" + std::to_string(range(1, 40)) + ",\"items\":[";
    bool first = true;
    while (b.size() + 40 < target) {
      const std::uint64_t cents = range(99, 999999);
      if (!first) b += ',';
      first = false;
      b += "{\"id\":" + std::to_string(range(1, 99999999)) + ",\"name\":\"" + one_of(kNames) + "\",\"sku\":\"" +
           one_of(kWords) + "-" + hex(6) + "\",\"price\":" + std::to_string(cents / 100) + "." +
           std::to_string(10 + cents % 90) + ",\"currency\":\"" + (chance(50) ? "USD" : "CNY") +
           "\",\"tags\":[\"" + one_of(kWords) + "\",\"" + one_of(kWords) + "\"],\"active\":" +
           (chance(80) ? "true" : "false") + ",\"updatedAt\":\"2024-03-" + std::to_string(range(10, 28)) + "T0" +
           std::to_string(range(0, 9)) + ":1" + std::to_string(range(0, 9)) + ":00Z\",\"note\":null}";
    }
    b += "]}}";
    return b;
  }

  std::string html_body(std::size_t target) {
    std::string b = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                    std::string(one_of(kNames)) +
                    "</title>\n<link rel=\"stylesheet\" href=\"/assets/app." + hex(8) +
                    ".css\"></head>\n<body>\n";
    while (b.size() + 30 < target) {
      b += "<div class=\"card\" data-id=\"" + std::to_string(range(1, 999999)) + "\"><h2>" + one_of(kNames) +
           "</h2><p>" + one_of(kWords) + " " + one_of(kWords) + " " + one_of(kWords) + "</p><a href=\"/" +
           one_of(kResources) + "/" + std::to_string(range(1, 99999)) + "\">more</a></div>\n";
    }
    b += "</body></html>\n";
    return b;
  }

  std::string script_body(std::size_t target) {
    std::string b = "\"use strict\";\n";
    while (b.size() < target) {
      const std::string name = std::string(one_of(kWords)) + "_" + hex(4);
      b += "function " + name + "(a,b){if(!a){return \"" + one_of(kWords) + "\";}\n\treturn a." + one_of(kResources) +
           ".map(function(x){return x.id+b;});}\nwindow.__app[\"" + name + "\"]=" + name + ";\n";
    }
    return b;
  }

  // PNG signature and IHDR, then noise: what an image looks like to a reader.
  std::string png_body(std::size_t size) {
    std::string b("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    b += random_bytes(size > b.size() ? size - b.size() : 0);
    return b;
  }

  // TLS application-data records, as a tunnel carries them.
  std::string tls_records(std::size_t size) {
    std::string b;
    b.reserve(size + 64);
    while (b.size() < size) {
      const std::size_t len = static_cast<std::size_t>(range(200, 1400));
      b += '\x17';
      b += '\x03';
      b += '\x03';
      b += static_cast<char>(len >> 8);
      b += static_cast<char>(len & 0xff);
      b += random_bytes(len);
    }
    return b;
  }

  // ---- transactions

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

  static std::int64_t headers_size(const std::optional<std::string>& first_line, const HeaderList& headers) {
    std::int64_t n = first_line ? static_cast<std::int64_t>(first_line->size()) + 2 : 0;
    for (const auto& [name, value] : headers) n += static_cast<std::int64_t>(name.size() + value.size() + 4);
    return n + 2;
  }

  static void write_message(JsonOut& j, std::string& out, const char* which, std::optional<int> status,
                            std::optional<std::int64_t> handshake, std::int64_t header_bytes, const BodyOut& body,
                            const std::optional<std::string>& first_line, const HeaderList& headers) {
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
        j.key("encoded");
        out += '"';
        out += base64(body.payload);
        out += '"';
        j.close_object();
        break;
    }
    j.close_object();
  }

  void common_head(JsonOut& j, const char* status, const char* method, const char* protocol, const char* scheme,
                   const Host& host, int port) {
    j.str("status", status);
    j.str("method", method);
    j.str("protocolVersion", protocol);
    j.str("scheme", scheme);
    j.str("host", host.name);
    j.null("port");
    j.num("actualPort", port);
  }

  void connection_fields(JsonOut& j, const Host& host, bool tunnel, bool kept_alive) {
    j.boolean("tunnel", tunnel);
    j.boolean("keptAlive", kept_alive);
    j.boolean("webSocket", false);
    j.str("remoteAddress", std::string(host.name) + "/" + host.ip);
    j.str("clientAddress", "/127.0.0.1");
    j.num("clientPort", static_cast<std::int64_t>(range(49152, 65535)));
  }

  void tunnel(Millis start, std::string& out) {
    const Host& host = one_of(kHosts);
    JsonOut j(out);
    j.open_object();
    common_head(j, "COMPLETE", "CONNECT", "HTTP/1.1", "https", host, 443);
    j.null("path");
    j.null("query");
    connection_fields(j, host, true, false);
    const std::int64_t dns = static_cast<std::int64_t>(range(1, 40)), connect = static_cast<std::int64_t>(range(20, 80)),
                       ssl = static_cast<std::int64_t>(range(30, 150));
    const Millis end = start + static_cast<Millis>(range(5000, 60000));
    times_and_durations(j, start, std::nullopt, std::nullopt, std::nullopt, end, dns, connect, ssl);

    BodyOut rq, rs;
    rq.form = rs.form = BodyOut::Form::base64;
    rq.payload = tls_records(static_cast<std::size_t>(range(800, 3500)));
    rs.payload = tls_records(static_cast<std::size_t>(range(1000, 4500)));
    // Charles counts what crossed the tunnel; the captured part may be less.
    rq.wire_size = static_cast<std::int64_t>(rq.payload.size()) + (chance(50) ? static_cast<std::int64_t>(range(0, 20000)) : 0);
    rs.wire_size = static_cast<std::int64_t>(rs.payload.size()) + (chance(50) ? static_cast<std::int64_t>(range(0, 150000)) : 0);
    const std::int64_t rq_hs = static_cast<std::int64_t>(range(2200, 2600)), rs_hs = 543;
    const std::int64_t total = rq.wire_size + rs.wire_size + rq_hs + rs_hs;
    const bool strings = chance(20);
    speeds_and_total(j, total, 0, 0, end - start, std::nullopt, std::nullopt, strings);
    j.open_object("ssl");
    j.str("protocol", "TLSv1.2");
    j.str("cipherSuite", one_of(kCiphers12));
    j.close_object();
    j.open_object("alpn");
    j.str("protocol", "http/1.1");
    j.close_object();
    j.str("notes", one_of(kTunnelNotes));

    const std::string authority = std::string(host.name) + ":443";
    const HeaderList rq_headers = {{"Host", authority},
                                   {"Proxy-Connection", "keep-alive"},
                                   {"User-Agent", one_of(kUserAgents)}};
    write_message(j, out, "request", std::nullopt, rq_hs, 0, rq, "CONNECT " + authority + " HTTP/1.1", rq_headers);
    write_message(j, out, "response", 200, rs_hs, 0, rs, std::string("HTTP/1.1 200 Connection established"), {});
    j.close_object();
  }

  std::string path_for(const Host& host, const std::string& method, std::optional<std::string>& query) {
    const std::string id = std::to_string(range(1, 9999999));
    switch (host.kind) {
      case HostKind::cdn: {
        const std::uint64_t r = pick(100);
        if (r < 60) return "/img/" + hex(2) + "/" + hex(16) + (chance(50) ? ".png" : "@2x.png");
        if (r < 85) return "/assets/js/chunk-" + hex(8) + ".js";
        return "/assets/css/app." + hex(8) + ".css";
      }
      case HostKind::web:
        if (chance(30)) query = "utm_source=" + std::string(one_of(kWords)) + "&utm_medium=app";
        return chance(30) ? "/" : "/" + std::string(one_of(kResources)) + "/" + id;
      case HostKind::telemetry:
        if (chance(50)) query = "v=2&sid=" + hex(16);
        return chance(50) ? "/v1/collect" : "/api/track/batch";
      case HostKind::auth:
        return method == "POST" ? (chance(50) ? "/oauth/token" : "/api/v1/login") : "/api/v1/session";
      case HostKind::api:
        break;
    }
    const std::string api = chance(50) ? "/api/v1/" : "/v2/";
    const std::string resource = one_of(kResources);
    if (method != "GET") return chance(60) ? api + resource : api + resource + "/" + id;
    switch (pick(5)) {
      case 0: query = "page=" + std::to_string(range(1, 40)) + "&size=" + std::to_string(range(1, 4) * 25); break;
      case 1:
        query = "q=" + std::string(one_of(kWords)) + "+" + one_of(kWords) + "&lang=en&ts=" +
                std::to_string(range(1710000000, 1719999999));
        break;
      case 2: query = "fields=id,name,price,updatedAt&include=variants"; break;
      default: break;  // no query
    }
    return chance(50) ? api + resource + "/" + id : api + resource;
  }

  int pick_status(const Host& host, const std::string& method) {
    const std::uint64_t r = pick(100);
    if (host.kind == HostKind::telemetry) return r < 70 ? 204 : 200;
    if (method == "GET")
      return r < 76 ? 200 : r < 84 ? 304 : r < 87 ? 302 : r < 88 ? 301 : r < 92 ? 404 : r < 95 ? 401 : r < 96 ? 403
             : r < 98 ? 500 : r < 99 ? 502 : 503;
    if (method == "POST") return r < 62 ? 200 : r < 85 ? 201 : r < 92 ? 400 : r < 95 ? 401 : 500;
    if (method == "PUT") return r < 70 ? 200 : r < 90 ? 204 : 400;
    return r < 80 ? 204 : 404;
  }

  BodyOut request_body(const Host& host, std::uint64_t index) {
    BodyOut b;
    b.form = BodyOut::Form::text;
    b.charset = "utf-8";
    if (host.kind == HostKind::auth && chance(60)) {
      b.payload = "grant_type=password&username=" + std::string(one_of(kWords)) + "%40example.com&password=" + hex(12) +
                  "&client_id=" + hex(16) + "&scope=openid%20profile";
      b.mime_type = "application/x-www-form-urlencoded";
    } else if (host.kind == HostKind::telemetry) {
      b.payload = "{\"events\":[";
      const std::uint64_t n = range(1, 8);
      for (std::uint64_t k = 0; k < n; ++k) {
        if (k) b.payload += ',';
        b.payload += "{\"name\":\"" + std::string(one_of(kWords)) + "_view\",\"ts\":" +
                     std::to_string(kEpoch + static_cast<Millis>(index) * 3 + static_cast<Millis>(k)) +
                     ",\"screen\":\"" + one_of(kResources) + "\",\"props\":{\"id\":\"" + hex(12) + "\"}}";
      }
      b.payload += "],\"device\":\"" + uuid() + "\"}";
      b.mime_type = "application/json";
    } else {
      b.payload = "{\"name\":\"" + std::string(one_of(kNames)) + "\",\"sku\":\"" + one_of(kWords) + "-" + hex(8) +
                  "\",\"quantity\":" + std::to_string(range(1, 20)) + ",\"note\":\"" +
                  std::string(static_cast<std::size_t>(range(10, 300)), 'n') + "\",\"clientTs\":" +
                  std::to_string(index) + "}";
      b.mime_type = "application/json";
    }
    b.wire_size = static_cast<std::int64_t>(b.payload.size());
    return b;
  }

  // A response body of the host's kind, in one of the forms Charles writes.
  BodyOut response_body(const Host& host, int status, const std::string& path, GenStats& stats) {
    BodyOut b;
    if (status == 204 || status == 304 || status == 301 || status == 302) return b;  // sizes.body 0, no body
    std::string text;
    bool binary = false;
    if (status >= 400) {
      text = "{\"code\":" + std::to_string(status * 100 + static_cast<int>(pick(100))) + ",\"message\":\"" +
             status_text(status) + "\",\"requestId\":\"" + uuid() + "\"}";
      b.mime_type = "application/json";
    } else if (host.kind == HostKind::cdn) {
      if (path.ends_with(".png")) {
        text = png_body(static_cast<std::size_t>(range(200, 3800)));
        binary = true;
        b.mime_type = "image/png";
      } else {
        text = script_body(static_cast<std::size_t>(range(500, 3500)));
        b.mime_type = path.ends_with(".css") ? "text/css" : "application/javascript";
      }
    } else if (host.kind == HostKind::web) {
      text = html_body(static_cast<std::size_t>(range(800, 4000)));
      b.mime_type = "text/html";
    } else if (host.kind == HostKind::telemetry) {
      text = "{\"ok\":true}";
      b.mime_type = "application/json";
    } else if (host.kind == HostKind::auth) {
      text = "{\"access_token\":\"" + hex(64) + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"" +
             hex(48) + "\",\"id_token\":\"" + base64(random_bytes(static_cast<std::size_t>(range(300, 700)))) + "\"}";
      b.mime_type = "application/json";
    } else {
      text = json_body(static_cast<std::size_t>(range(300, 2700)));
      b.mime_type = "application/json";
    }
    ++stats.response_bodies;
    stats.response_body_bytes += text.size();

    if (binary) {
      b.form = BodyOut::Form::base64;
      b.payload = std::move(text);
      b.wire_size = static_cast<std::int64_t>(b.payload.size());
      ++stats.binary_bodies;
      return b;
    }
    b.charset = "utf-8";
    const std::uint64_t r = text.size() < 200 ? 0 : pick(100);
    if (r < 50) {  // as sent: plain text
      b.form = BodyOut::Form::text;
      b.wire_size = static_cast<std::int64_t>(text.size());
      b.payload = std::move(text);
    } else if (r < 80) {  // gzip on the wire, text already decompressed by Charles
      b.form = BodyOut::Form::text;
      b.decoded = true;
      b.content_encoding = "gzip";
      b.wire_size = static_cast<std::int64_t>(text.size() * 3 / 10 + 20);
      b.payload = std::move(text);
      ++stats.decoded_bodies;
    } else {  // gzip on the wire, kept compressed: base64 of the gzip bytes
      b.form = BodyOut::Form::base64;
      b.content_encoding = "gzip";
      b.payload = gzip(text);
      b.wire_size = static_cast<std::int64_t>(b.payload.size());
      ++stats.gzip_base64_bodies;
    }
    return b;
  }

  HeaderList request_headers(const Host& host, const std::string& method, const std::string& target, bool http2,
                             const BodyOut& body) {
    HeaderList hs;
    hs.reserve(14);
    auto add = [&](std::string name, std::string value) {
      if (http2)
        std::transform(name.begin(), name.end(), name.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
      hs.emplace_back(std::move(name), std::move(value));
    };
    if (http2) {
      hs.emplace_back(":method", method);
      hs.emplace_back(":authority", host.name);
      hs.emplace_back(":scheme", "https");
      hs.emplace_back(":path", target);
    } else {
      add("Host", host.name);
    }
    add("User-Agent", one_of(kUserAgents));
    add("Accept", body.form != BodyOut::Form::none || host.kind == HostKind::api ? "application/json, text/plain, */*"
                                                                                 : "*/*");
    if (body.form != BodyOut::Form::none) {
      add("Content-Type", *body.mime_type + "; charset=utf-8");
      add("Content-Length", std::to_string(body.payload.size()));
    }
    const std::size_t want = static_cast<std::size_t>(range(6, 12));
    constexpr std::size_t optional_count = 9;
    const std::size_t offset = static_cast<std::size_t>(pick(optional_count));
    for (std::size_t k = 0; k < optional_count && hs.size() < want; ++k) {
      switch ((offset + k) % optional_count) {
        case 0: add("Accept-Encoding", "gzip, deflate, br"); break;
        case 1: add("Accept-Language", one_of(kLanguages)); break;
        case 2: add("Authorization", "Bearer " + hex(40)); break;
        case 3:
          add("Cookie", "sid=" + hex(32) + "; theme=dark; _ga=GA1.2." + std::to_string(range(100000000, 999999999)) +
                            "." + std::to_string(range(1700000000, 1710000000)));
          break;
        case 4: add("Referer", "https://www.shopfront.example/" + std::string(one_of(kResources))); break;
        case 5: add("X-Request-Id", uuid()); break;
        case 6: add("X-App-Version", "5.3." + std::to_string(range(0, 9))); break;
        case 7: add("Cache-Control", "no-cache"); break;
        default:
          if (!http2) add("Connection", "keep-alive");
          else add("Sec-Fetch-Mode", "cors");
          break;
      }
    }
    return hs;
  }

  HeaderList response_headers(int status, bool http2, Millis start, const BodyOut& body) {
    HeaderList hs;
    hs.reserve(14);
    auto add = [&](std::string name, std::string value) {
      if (http2)
        std::transform(name.begin(), name.end(), name.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
      hs.emplace_back(std::move(name), std::move(value));
    };
    if (http2) hs.emplace_back(":status", std::to_string(status));
    add("Date", http_date(start * 1000));
    add("Server", one_of(kServers));
    if (body.mime_type)
      add("Content-Type", *body.mime_type + (body.charset ? "; charset=" + *body.charset : std::string()));
    add("Content-Length", std::to_string(body.wire_size));
    if (body.content_encoding) add("Content-Encoding", *body.content_encoding);
    if (status == 301 || status == 302) add("Location", "https://www.shopfront.example/" + hex(8));
    const std::size_t want = static_cast<std::size_t>(range(6, 12));
    constexpr std::size_t optional_count = 10;
    const std::size_t offset = static_cast<std::size_t>(pick(optional_count));
    for (std::size_t k = 0; k < optional_count && hs.size() < want; ++k) {
      switch ((offset + k) % optional_count) {
        case 0: add("Cache-Control", chance(50) ? "private, max-age=0, no-store" : "public, max-age=31536000"); break;
        case 1: add("ETag", "W/\"" + hex(16) + "\""); break;
        case 2: add("Vary", "Accept-Encoding, Origin"); break;
        case 3: add("Strict-Transport-Security", "max-age=31536000; includeSubDomains"); break;
        case 4: add("Set-Cookie", "sid=" + hex(32) + "; Path=/; Secure; HttpOnly; SameSite=Lax"); break;
        case 5: add("Access-Control-Allow-Origin", "*"); break;
        case 6: add("X-Request-Id", uuid()); break;
        case 7: add("X-Cache", chance(50) ? "HIT" : "MISS"); break;
        case 8: add("Alt-Svc", "h3=\":443\"; ma=86400"); break;
        default:
          if (!http2) add("Connection", "keep-alive");
          else add("X-Envoy-Upstream-Service-Time", std::to_string(range(1, 300)));
          break;
      }
    }
    return hs;
  }

  void http(std::uint64_t index, Millis start, bool exception, std::string& out, GenStats& stats) {
    const Host& host = one_of(kHosts);
    const std::uint64_t m = pick(100);
    std::string method = "GET";
    if (host.kind == HostKind::telemetry) method = m < 50 ? "POST" : "GET";  // batches, or pixel GETs
    else if (host.kind == HostKind::auth) method = m < 70 ? "POST" : "GET";
    else if (host.kind == HostKind::api) method = m < 77 ? "GET" : m < 94 ? "POST" : m < 97 ? "PUT" : "DELETE";
    const bool https = host.kind != HostKind::web || chance(70);
    const bool http2 = https && host.kind != HostKind::telemetry && chance(35);
    if (http2) ++stats.http2;
    const char* scheme = https ? "https" : "http";
    const int port = https ? 443 : 80;
    std::optional<std::string> query;
    const std::string path = path_for(host, method, query);
    const std::string target = path + (query ? "?" + *query : "");
    const char* protocol = http2 ? "HTTP/2" : "HTTP/1.1";
    const bool kept_alive = chance(70);

    BodyOut rq;
    if (method == "POST" || method == "PUT") {
      rq = request_body(host, index);
      ++stats.request_bodies;
    }
    const HeaderList rq_headers = request_headers(host, method, target, http2, rq);
    const std::string rq_first = method + " " + target + " " + protocol;
    const std::int64_t rq_header_bytes = headers_size(rq_first, rq_headers);

    // Connection set-up: none on a kept-alive connection (-1 or null, as Charles writes).
    std::optional<std::int64_t> dns, connect, ssl;
    if (kept_alive) {
      if (chance(80)) dns = connect = -1;
      if (https && chance(80)) ssl = -1;
    } else {
      dns = static_cast<std::int64_t>(range(0, 60));
      connect = static_cast<std::int64_t>(range(5, 120));
      if (https) ssl = static_cast<std::int64_t>(range(20, 250));
    }
    const Millis setup = (dns && *dns > 0 ? *dns : 0) + (connect && *connect > 0 ? *connect : 0) +
                         (ssl && *ssl > 0 ? *ssl : 0);
    const Millis request_begin = start + setup;
    const Millis request_complete = request_begin + static_cast<Millis>(range(0, rq.form != BodyOut::Form::none ? 30 : 3));

    JsonOut j(out);
    j.open_object();
    common_head(j, exception ? "EXCEPTION" : "COMPLETE", method.c_str(), protocol, scheme, host, port);
    j.str("path", path);
    if (query) j.str("query", *query);
    else j.null("query");
    connection_fields(j, host, false, kept_alive);
    const bool strings = chance(20);
    if (strings) ++stats.string_numbers;

    if (exception) {
      ++stats.exceptions;
      const Millis end = request_complete + static_cast<Millis>(range(10, 30000));
      times_and_durations(j, start, request_begin, request_complete, std::nullopt, end, dns, connect, ssl);
      speeds_and_total(j, rq_header_bytes + rq.wire_size, rq_header_bytes + rq.wire_size, 0, end - start,
                       request_complete - request_begin, std::nullopt, strings);
      tls_fields(j, https, http2);
      j.str("errorMessage", one_of(kErrors));
      write_message(j, out, "request", std::nullopt, std::nullopt, rq_header_bytes, rq, rq_first, rq_headers);
      if (chance(50)) j.null("response");  // else no response key at all
      j.close_object();
      return;
    }

    const int status = pick_status(host, method);
    const BodyOut rs = response_body(host, status, path, stats);
    const HeaderList rs_headers = response_headers(status, http2, start, rs);
    // HTTP/2 responses have no status line.
    const std::optional<std::string> rs_first =
        http2 ? std::nullopt : std::optional<std::string>("HTTP/1.1 " + std::to_string(status) + " " + status_text(status));
    const std::int64_t rs_header_bytes = headers_size(rs_first, rs_headers);
    const Millis response_begin = request_complete + static_cast<Millis>(range(3, 400));
    const Millis end = response_begin + static_cast<Millis>(range(0, rs.wire_size > 4000 ? 80 : 15));
    times_and_durations(j, start, request_begin, request_complete, response_begin, end, dns, connect, ssl);
    const std::int64_t rq_bytes = rq_header_bytes + rq.wire_size, rs_bytes = rs_header_bytes + rs.wire_size;
    speeds_and_total(j, rq_bytes + rs_bytes, rq_bytes, rs_bytes, end - start, request_complete - request_begin,
                     end - response_begin, strings);
    tls_fields(j, https, http2);
    write_message(j, out, "request", std::nullopt, std::nullopt, rq_header_bytes, rq, rq_first, rq_headers);
    write_message(j, out, "response", status, std::nullopt, rs_header_bytes, rs, rs_first, rs_headers);
    j.close_object();
  }

  void tls_fields(JsonOut& j, bool https, bool http2) {
    if (!https) {
      j.null("ssl");
      j.null("alpn");
      return;
    }
    const bool tls13 = http2 || chance(60);
    j.open_object("ssl");
    j.str("protocol", tls13 ? "TLSv1.3" : "TLSv1.2");
    j.str("cipherSuite", tls13 ? one_of(kCiphers13) : one_of(kCiphers12));
    j.close_object();
    j.open_object("alpn");
    j.str("protocol", http2 ? "h2" : "http/1.1");
    j.close_object();
  }

  std::mt19937_64 rng_;
  Millis clock_ = kEpoch;
};

// Writes the export to `path` (via PATH.partial, renamed when complete).
GenStats generate(const std::string& path, std::uint64_t count, std::uint64_t seed) {
  GenStats stats;
  const auto t0 = Clock::now();
  const std::string partial = path + ".partial";
  std::FILE* f = std::fopen(partial.c_str(), "wb");
  if (!f) throw std::runtime_error(partial + ": " + std::strerror(errno));
  std::vector<char> buffer(4u << 20);
  std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
  Generator gen(seed);
  std::string chunk;  // one transaction at a time
  chunk.reserve(64 << 10);
  bool ok = std::fputc('[', f) != EOF;
  for (std::uint64_t i = 0; i < count && ok; ++i) {
    chunk.clear();
    gen.transaction(i, chunk, stats);
    ok = (i == 0 || std::fputc(',', f) != EOF) && std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size();
  }
  ok = ok && std::fputc(']', f) != EOF;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::remove(partial.c_str());
    throw std::runtime_error(partial + ": write failed: " + std::strerror(errno));
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0)
    throw std::runtime_error("rename to " + path + ": " + std::strerror(errno));
  stats.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return stats;
}

// Counts the objects in the top-level array (one pass, constant memory).
// Also brings the file into the page cache, so neither timed run reads disk.
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

// ---------------------------------------------------------------- child processes

struct Python {
  std::string executable;
  std::string version;
};

// The interpreter behind `cmd` (a pyenv shim would otherwise be timed too).
Python resolve_python(const std::string& cmd, const std::string& log_path) {
  const ChildRun r =
      run_child({cmd, "-c", "import sys; print(sys.executable); print(sys.version.split()[0])"}, log_path);
  const std::string text = read_text(log_path, 4096);
  if (r.exit_code != 0) {
    show_log(cmd, log_path);
    throw std::runtime_error("cannot run " + cmd + " (" + describe(r) + "); give --python");
  }
  std::istringstream lines(text);
  Python p;
  std::getline(lines, p.executable);
  std::getline(lines, p.version);
  if (p.executable.empty()) p.executable = cmd;
  return p;
}

// ---------------------------------------------------------------- the database

struct DbCheck {
  std::uint64_t exchanges = 0;
  std::uint64_t errors = 0;
  std::uint64_t tunnels = 0;
  std::uint64_t sessions = 0;
  std::string session_status;
  bool session_error = false;
};

DbCheck check_database(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  DbCheck c;
  SQLite::Statement ex(db, "SELECT count(*), coalesce(sum(error IS NOT NULL), 0), coalesce(sum(tunnel), 0) FROM exchanges");
  if (ex.executeStep()) {
    c.exchanges = static_cast<std::uint64_t>(ex.getColumn(0).getInt64());
    c.errors = static_cast<std::uint64_t>(ex.getColumn(1).getInt64());
    c.tunnels = static_cast<std::uint64_t>(ex.getColumn(2).getInt64());
  }
  SQLite::Statement s(db, "SELECT count(*), max(status), max(error IS NOT NULL) FROM sessions");
  if (s.executeStep()) {
    c.sessions = static_cast<std::uint64_t>(s.getColumn(0).getInt64());
    c.session_status = s.getColumn(1).isNull() ? "" : s.getColumn(1).getString();
    c.session_error = !s.getColumn(2).isNull() && s.getColumn(2).getInt() != 0;
  }
  return c;
}

// ---------------------------------------------------------------- output

std::string json_quoted(std::string_view s) {
  std::string out;
  json_string(out, s);
  return out;
}

int run(const Options& o) {
  RemoveOnExit cleanup;
  const std::filesystem::path tmp = std::filesystem::temp_directory_path();
  const std::string base = (tmp / ("trafficdb-chlsj-bench-" + std::to_string(::getpid()))).string();
  const std::string db_path = base + ".db";
  const std::string log_path = base + ".log";
  cleanup.add(log_path);
  const bool temporary_file = o.file.empty();
  const std::string file = temporary_file ? base + ".chlsj" : o.file;
  if (temporary_file && !o.keep) cleanup.add(file);
  const std::string trafficdb = TRAFFICDB_BINARY;

  if (::access(trafficdb.c_str(), X_OK) != 0) {
    std::cerr << "chlsj_bench: " << trafficdb << " is not executable; build the trafficdb target\n";
    return 1;
  }
  const Python python = resolve_python(o.python, log_path);
  std::cout << "trafficdb: " << trafficdb << "\n"
            << "python: " << python.executable << " (" << python.version << ")\n";

  // ---- the file
  std::optional<GenStats> gen;
  if (!temporary_file && file_exists(o.file)) {
    std::cout << "file: " << file << " (reused" << (o.count_given ? "; --count ignored" : "") << ")\n";
  } else {
    gen = generate(file, o.count, o.seed);
    gen->bytes = file_size(file);
    const GenStats& g = *gen;
    const double avg_body =
        g.response_bodies ? static_cast<double>(g.response_body_bytes) / static_cast<double>(g.response_bodies) : 0;
    std::cout << "file: " << file << (temporary_file ? (o.keep ? " (temporary, kept)" : " (temporary)") : " (kept)")
              << "\ngenerated " << g.transactions << " transactions in " << fixed(g.seconds, 2)
              << " s (not timed), seed " << o.seed << ": " << fixed(static_cast<double>(g.bytes) / 1e6, 1) << " MB, "
              << fixed(static_cast<double>(g.bytes) / static_cast<double>(g.transactions), 0)
              << " B/transaction; " << g.tunnels << " CONNECT tunnels, " << g.exceptions << " EXCEPTION, " << g.http2
              << " HTTP/2, " << g.request_bodies << " request bodies, " << g.response_bodies
              << " response bodies averaging " << fixed(avg_body, 0) << " B decoded (" << g.decoded_bodies
              << " decoded gzip text, " << g.gzip_base64_bodies << " base64 gzip, " << g.binary_bodies
              << " base64 images), " << g.string_numbers << " with speeds/totalSize as strings\n";
  }
  std::cout.flush();
  const std::uint64_t transactions = count_transactions(file);
  const std::uint64_t file_bytes = file_size(file);
  if (gen && transactions != gen->transactions)
    throw std::runtime_error("the generated file holds " + std::to_string(transactions) + " transactions, expected " +
                             std::to_string(gen->transactions));
  if (!gen)
    std::cout << "counted " << transactions << " transactions, " << fixed(static_cast<double>(file_bytes) / 1e6, 1)
              << " MB\n";

  // ---- rounds
  const std::vector<std::string> trafficdb_args = {trafficdb, "--db", db_path, "import", file, "--quiet"};
  const std::vector<std::string> python_args = {python.executable, "-c", kPythonYardstick, file};
  Series tdb, py;
  std::vector<double> ratio_seconds, ratio_rss;
  std::uint64_t db_bytes = 0;
  const double mb = static_cast<double>(file_bytes) / 1e6;
  const double n = static_cast<double>(transactions);
  if (!o.keep) cleanup.add_database(db_path);

  auto trafficdb_round = [&] {
    remove_database(db_path);
    if (file_exists(db_path)) throw std::runtime_error(db_path + " exists and cannot be removed");
    const ChildRun r = run_child(trafficdb_args, log_path);
    if (r.exit_code != 0) {
      show_log("trafficdb", log_path);
      throw std::runtime_error("trafficdb import failed (" + describe(r) + ")");
    }
    show_log("trafficdb", log_path);  // --quiet: only problems, normally nothing
    db_bytes = file_size(db_path) + file_size(db_path + "-wal");
    const DbCheck c = check_database(db_path);
    if (c.exchanges != transactions)
      throw std::runtime_error("the database holds " + std::to_string(c.exchanges) + " exchanges, expected " +
                               std::to_string(transactions));
    if (c.sessions != 1 || c.session_status != "imported" || c.session_error)
      throw std::runtime_error("unexpected session row (status '" + c.session_status + "')");
    if (gen && (c.errors != gen->exceptions || c.tunnels != gen->tunnels))
      throw std::runtime_error("the database has " + std::to_string(c.errors) + " failed exchanges and " +
                               std::to_string(c.tunnels) + " tunnels, expected " + std::to_string(gen->exceptions) +
                               " and " + std::to_string(gen->tunnels));
    tdb.add(r);
    return r;
  };
  auto python_round = [&] {
    const ChildRun r = run_child(python_args, log_path);
    if (r.exit_code != 0) {
      show_log("python", log_path);
      throw std::runtime_error("python json.load failed (" + describe(r) + ")");
    }
    py.add(r);
    return r;
  };

  for (std::uint64_t round = 0; round < o.repeat; ++round) {
    const bool python_first = round % 2 == 1;
    ChildRun t, p;
    if (python_first) p = python_round();
    t = trafficdb_round();
    if (!python_first) p = python_round();
    ratio_seconds.push_back(p.seconds / t.seconds);
    ratio_rss.push_back(p.peak_rss_mb / t.peak_rss_mb);
    if (o.repeat > 1)
      std::cout << "round " << round + 1 << "/" << o.repeat << ": trafficdb " << fixed(t.seconds, 2) << " s, "
                << fixed(t.peak_rss_mb, 0) << " MB peak; python " << fixed(p.seconds, 2) << " s, "
                << fixed(p.peak_rss_mb, 0) << " MB peak" << (python_first ? " (python first)" : "") << "\n";
  }

  // ---- summary
  const double t_s = median(tdb.seconds), t_rss = median(tdb.rss);
  const double p_s = median(py.seconds), p_rss = median(py.rss);
  const double r_s = median(ratio_seconds), r_rss = median(ratio_rss);
  const std::string of = o.repeat > 1 ? " (medians of " + std::to_string(o.repeat) + ")" : std::string();
  std::cout << "trafficdb import: " << fixed(t_s, 2) << " s, " << fixed(mb / t_s, 1) << " MB/s, "
            << fixed(n / t_s, 0) << " exchanges/s, peak RSS " << fixed(t_rss, 1) << " MB (CPU user "
            << fixed(median(tdb.user), 2) << " s, sys " << fixed(median(tdb.sys), 2) << " s); database "
            << fixed(static_cast<double>(db_bytes) / 1e6, 1) << " MB" << of << "\n";
  std::cout << "python json.load: " << fixed(p_s, 2) << " s, " << fixed(mb / p_s, 1) << " MB/s, peak RSS "
            << fixed(p_rss, 1) << " MB (CPU user " << fixed(median(py.user), 2) << " s, sys "
            << fixed(median(py.sys), 2) << " s)" << of << "\n";
  std::cout << "python/trafficdb: time " << fixed(r_s, 2) << "x, peak RSS " << fixed(r_rss, 2)
            << "x (above 1: trafficdb faster / leaner; trafficdb also stores everything, python only parses)\n";
  if (o.keep) std::cout << "kept: " << file << ", " << db_path << "\n";

  std::string json = "{\"bench\":\"chlsj_import\",\"file_bytes\":" + std::to_string(file_bytes) +
                     ",\"transactions\":" + std::to_string(transactions) + ",\"generated\":" +
                     (gen ? "true" : "false") + ",\"seed\":" + std::to_string(o.seed) + ",\"repeat\":" +
                     std::to_string(o.repeat);
  if (gen)
    json += ",\"generation_s\":" + fixed(gen->seconds, 3) + ",\"tunnels\":" + std::to_string(gen->tunnels) +
            ",\"exceptions\":" + std::to_string(gen->exceptions) + ",\"response_bodies\":" +
            std::to_string(gen->response_bodies) + ",\"response_body_bytes\":" +
            std::to_string(gen->response_body_bytes);
  json += ",\"trafficdb_seconds\":" + fixed(t_s, 4) + ",\"trafficdb_mb_per_s\":" + fixed(mb / t_s, 2) +
          ",\"trafficdb_exchanges_per_s\":" + fixed(n / t_s, 1) + ",\"trafficdb_peak_rss_mb\":" + fixed(t_rss, 1) +
          ",\"trafficdb_user_s\":" + fixed(median(tdb.user), 3) + ",\"trafficdb_sys_s\":" +
          fixed(median(tdb.sys), 3) + ",\"trafficdb_db_bytes\":" + std::to_string(db_bytes) +
          ",\"trafficdb_seconds_runs\":" + json_array(tdb.seconds, 4) + ",\"trafficdb_peak_rss_mb_runs\":" +
          json_array(tdb.rss, 1) + ",\"python_version\":" + json_quoted(python.version) + ",\"python_seconds\":" +
          fixed(p_s, 4) + ",\"python_mb_per_s\":" + fixed(mb / p_s, 2) + ",\"python_peak_rss_mb\":" +
          fixed(p_rss, 1) + ",\"python_user_s\":" + fixed(median(py.user), 3) + ",\"python_sys_s\":" +
          fixed(median(py.sys), 3) + ",\"python_seconds_runs\":" + json_array(py.seconds, 4) +
          ",\"python_peak_rss_mb_runs\":" + json_array(py.rss, 1) + ",\"ratio_seconds\":" + fixed(r_s, 4) +
          ",\"ratio_peak_rss\":" + fixed(r_rss, 4) + "}";
  std::cout << json << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (const auto code = parse_args(argc, argv, o)) return *code;
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "chlsj_bench: " << e.what() << "\n";
    return 1;
  }
}
