// writer_bench: how fast the Writer stores exchanges, and how that compares
// with raw SQLite inserting the same rows.
//
// 1. Generates N synthetic exchanges (~1 KB of metadata each plus a JSON
//    response body) with a fixed-seed std::mt19937_64, before any timing.
// 2. Writer run: a fresh database through Writer::open; times from the first
//    consume() to close() returning (everything committed).
// 3. Baseline run: the same rows (generated again from the same seed) into a
//    second fresh file opened with open_database (same schema and pragmas),
//    inserted directly with SQLiteCpp prepared statements, one transaction per
//    2000 rows, every body inserted as its own row (no hashing, no dedup).
//
// Prints the SQLite version, a one-line summary and a JSON line
// ({"bench":"writer",...}) for scripts. See bench/README.md.

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "bench_support.h"
#include "common/utf8.h"
#include "model/exchange.h"
#include "store/database.h"
#include "store/headers_json.h"
#include "store/sessions.h"
#include "store/writer.h"

using namespace bench;  // bench_support.h

namespace {

using trafficdb::Body;
using trafficdb::Exchange;
using trafficdb::Header;
using trafficdb::Headers;
using trafficdb::Micros;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBaselineRowsPerTransaction = 2000;

// ---------------------------------------------------------------- options

struct Options {
  std::uint64_t count = 200000;
  std::string db_path;  // "" = temporary file, deleted afterwards
  std::uint64_t body_bytes = 600;
  std::uint64_t distinct_bodies = 1000;  // 0 = every response body unique
  std::uint64_t batch = trafficdb::WriterOptions{}.batch_size;
  std::uint64_t seed = 1;
  std::uint64_t repeat = 1;
  bool baseline = true;
};

void print_usage(std::ostream& out) {
  out << "usage: writer_bench [options]\n"
         "\n"
         "Writes N synthetic exchanges through trafficdb's Writer into a fresh database,\n"
         "then the same rows through plain SQLite inserts (the baseline), and reports\n"
         "rows/s, MB/s of input, bytes per exchange on disk and the writer/baseline ratio.\n"
         "\n"
         "options:\n"
         "  --count N            exchanges to write (default 200000)\n"
         "  --db PATH            writer database file (must not exist; kept afterwards);\n"
         "                       the baseline goes next to it as PATH.baseline.db.\n"
         "                       Default: temporary files in $TMPDIR or /tmp, deleted after.\n"
         "  --body-bytes B       average response body size in bytes (default 600)\n"
         "  --distinct-bodies K  distinct response bodies to cycle through (default 1000);\n"
         "                       0 = every response body unique\n"
         "  --batch N            WriterOptions::batch_size (default "
      << trafficdb::WriterOptions{}.batch_size
      << ")\n"
         "  --seed S             PRNG seed (default 1)\n"
         "  --repeat R           rounds of writer + baseline on fresh files, alternating\n"
         "                       which goes first; reports medians (default 1; needs\n"
         "                       the default temporary --db)\n"
         "  --no-baseline        skip the raw SQLite baseline (e.g. when profiling)\n"
         "  --help               show this help\n";
}



// Returns nullopt to go on, or the exit code to stop with.
std::optional<int> parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_usage(std::cout);
      return 0;
    }
    if (arg == "--no-baseline") {
      o.baseline = false;
      continue;
    }
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    auto number = [&](std::uint64_t& out, std::uint64_t min) -> bool {
      const auto v = value();
      if (!v || !parse_u64(*v, out) || out < min) {
        std::cerr << "writer_bench: " << arg << " needs an integer >= " << min << "\n";
        return false;
      }
      return true;
    };
    bool ok = true;
    if (arg == "--count") ok = number(o.count, 1);
    else if (arg == "--body-bytes") ok = number(o.body_bytes, 0);
    else if (arg == "--distinct-bodies") ok = number(o.distinct_bodies, 0);
    else if (arg == "--batch") ok = number(o.batch, 1);
    else if (arg == "--seed") ok = number(o.seed, 0);
    else if (arg == "--repeat") ok = number(o.repeat, 1);
    else if (arg == "--db") {
      const auto v = value();
      ok = v && !v->empty();
      if (ok) o.db_path = std::string(*v);
      else std::cerr << "writer_bench: --db needs a path\n";
    } else {
      std::cerr << "writer_bench: unknown option " << arg << "\n";
      ok = false;
    }
    if (!ok) {
      print_usage(std::cerr);
      return 2;
    }
  }
  if (o.repeat > 1 && !o.db_path.empty()) {
    std::cerr << "writer_bench: --repeat needs the temporary database (no --db)\n";
    return 2;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- generator

const char* const kHosts[] = {
    "api.shopfront.example",  "cdn.shopfront.example", "auth.example.com",      "www.example.org",
    "images.example-cdn.net", "telemetry.example.io",  "graphql.example.com",   "payments.example.com",
    "search.example.com",     "static.example.net",    "accounts.example.com",  "maps.example.com",
    "chat.example.chat",      "files.example.dev",     "api.weather.example",   "feeds.example.news",
    "login.example.id",       "metrics.example.io",    "upload.example.net",    "edge.example-cdn.net"};
constexpr std::size_t kHostCount = std::size(kHosts);

const char* const kResources[] = {"users",    "orders", "products", "carts",    "sessions",
                                  "items",    "accounts", "invoices", "messages", "events"};
const char* const kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
const char* const kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "okhttp/4.12.0",
    "ShopApp/5.3.1 (iPhone; iOS 17.2; Scale/3.00)"};
const char* const kLanguages[] = {"en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "en-GB"};
const char* const kServers[] = {"nginx/1.24.0", "cloudflare", "envoy", "Apache/2.4.58 (Debian)", "gunicorn"};

std::string status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    default: return "";
  }
}

class Generator {
 public:
  explicit Generator(const Options& o) : rng_(o.seed), body_bytes_(o.body_bytes), distinct_(o.distinct_bodies) {
    pool_.reserve(distinct_);
    for (std::uint64_t k = 0; k < distinct_; ++k) pool_.push_back(json_body(k));
  }

  Exchange next(std::uint64_t index) {
    Exchange e;
    trafficdb::Request& rq = e.request;
    const std::size_t host_index = pick(kHostCount);
    const std::string host = kHosts[host_index];

    const std::uint64_t m = pick(100);
    rq.method = m < 70 ? "GET" : m < 85 ? "POST" : m < 93 ? "PUT" : "DELETE";
    const bool https = pick(100) < 95;
    rq.scheme = https ? "https" : "http";
    rq.port = https ? 443 : 80;
    rq.host = host;
    rq.http_version = pick(100) < 75 ? "HTTP/2" : "HTTP/1.1";

    const std::string resource = kResources[pick(std::size(kResources))];
    const std::string api = pick(2) ? "/api/v1/" : "/api/v2/";
    const std::string id = std::to_string(range(1, 9999999));
    const std::uint64_t shape = pick(100);
    if (rq.method == "GET") {
      if (shape < 40) rq.path = api + resource + "/" + id;
      else if (shape < 60) rq.path = api + resource;
      else if (shape < 80) rq.path = api + resource + "/" + id + "/" + kResources[pick(std::size(kResources))];
      else rq.path = "/" + resource + "/" + id;
      if (pick(100) < 35) rq.query = query_string(index);
    } else if (rq.method == "POST") {
      rq.path = shape < 60 ? api + resource : api + resource + "/" + id + "/" + kResources[pick(std::size(kResources))];
    } else {
      rq.path = api + resource + "/" + id;
    }
    rq.url = rq.scheme + "://" + host + rq.path;
    if (rq.query) rq.url += "?" + *rq.query;

    const bool has_request_body = rq.method == "POST" || rq.method == "PUT";
    if (has_request_body) {
      std::string b = "{\"name\":\"" + std::string(kWords[pick(std::size(kWords))]) + "-" + hex(8) +
                      "\",\"quantity\":" + std::to_string(range(1, 20)) + ",\"note\":\"";
      b += std::string(static_cast<std::size_t>(range(10, 150)), 'n');
      b += "\",\"client_ts\":" + std::to_string(index) + "}";
      rq.body.size = static_cast<std::int64_t>(b.size());
      rq.body.wire_size = static_cast<std::int64_t>(b.size());
      rq.body.data = std::move(b);
    }

    // Timings: an exchange about every 4 ms, 2-150 ms to first byte.
    const Micros started = kEpoch + static_cast<Micros>(index) * 4000 + static_cast<Micros>(pick(3000));
    const Micros sent = started + static_cast<Micros>(range(100, 2000));
    const Micros first_byte = sent + static_cast<Micros>(range(2000, 150000));
    const Micros ended = first_byte + static_cast<Micros>(range(100, 20000));
    e.timings.started = started;
    e.timings.request_sent = sent;

    const std::string request_id = uuid();
    rq.headers = request_headers(rq, host, request_id, has_request_body);

    e.client_addr = "192.168.1." + std::to_string(10 + index % 5) + ":" + std::to_string(range(49152, 65535));
    e.server_addr = "93.184." + std::to_string(200 + host_index) + "." + std::to_string(10 + host_index) + ":" +
                    std::to_string(*rq.port);
    e.source_key = "entries[" + std::to_string(index) + "]";

    if (pick(1000) < 3) {  // a few failed exchanges: no response
      e.timings.ended = sent + static_cast<Micros>(range(1000, 30000));
      e.error = "connection reset by peer";
      return e;
    }
    e.timings.response_started = first_byte;
    e.timings.ended = ended;

    trafficdb::Response& rs = e.response.emplace();
    rs.status = pick_status(rq.method);
    rs.status_text = status_text(rs.status);
    rs.http_version = rq.http_version;
    const bool has_body = rs.status != 204 && rs.status != 304 && rs.status != 301;
    if (has_body) {
      rs.body.data = distinct_ > 0 ? pool_[pick(distinct_)] : json_body(1000000000 + index);
      rs.body.size = static_cast<std::int64_t>(rs.body.data.size());
      if (!rs.body.data.empty() && pick(100) < 60) {
        rs.body.encoding = "gzip";
        rs.body.wire_size = static_cast<std::int64_t>(rs.body.data.size() * 3 / 10 + 20);
      } else {
        rs.body.wire_size = static_cast<std::int64_t>(rs.body.data.size());
      }
    } else {
      rs.body.size = 0;
      rs.body.wire_size = 0;
    }
    rs.headers = response_headers(rq, rs, request_id, started);
    return e;
  }

 private:
  static constexpr Micros kEpoch = 1736848800000000;  // 2025-01-14T10:00:00Z

  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) { return lo + rng_() % (hi - lo + 1); }

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

  std::string uuid() { return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12); }

  std::string query_string(std::uint64_t index) {
    switch (pick(5)) {
      case 0: return "page=" + std::to_string(range(1, 40)) + "&limit=" + std::to_string(range(1, 4) * 25);
      case 1: return "q=" + std::string(kWords[pick(std::size(kWords))]) + "+" + kWords[pick(std::size(kWords))] +
                     "&lang=en";
      case 2: return "sort=created_at&order=desc&page=" + std::to_string(range(1, 9));
      case 3: return "fields=id,name,price,updated_at&include=variants,images";
      default: return "since=" + std::to_string(1736848800 + index) + "&cursor=" + hex(24);
    }
  }

  int pick_status(const std::string& method) {
    const std::uint64_t r = pick(100);
    if (method == "GET") return r < 68 ? 200 : r < 78 ? 304 : r < 82 ? 301 : r < 90 ? 404 : r < 94 ? 400 : 500;
    if (method == "POST") return r < 62 ? 201 : r < 80 ? 200 : r < 92 ? 400 : 500;
    if (method == "PUT") return r < 55 ? 200 : r < 75 ? 204 : r < 88 ? 400 : r < 95 ? 404 : 500;
    return r < 70 ? 204 : r < 85 ? 404 : r < 92 ? 400 : 500;
  }

  // JSON-ish body of about the target size: uniform in [B/2, 3B/2].
  std::string json_body(std::uint64_t id) {
    if (body_bytes_ == 0) return std::string();
    const std::size_t target = static_cast<std::size_t>(range(body_bytes_ / 2, body_bytes_ + body_bytes_ / 2));
    std::string b;
    b.reserve(target + 160);
    b += "{\"id\":" + std::to_string(id) + ",\"object\":\"list\",\"data\":[";
    bool first = true;
    for (;;) {
      const std::uint64_t cents = range(99, 99999);
      std::string item = "{\"id\":" + std::to_string(range(1, 9999999)) + ",\"name\":\"" +
                         kWords[pick(std::size(kWords))] + "-" + hex(6) + "\",\"price\":" +
                         std::to_string(cents / 100) + "." + std::to_string(10 + cents % 90) +
                         ",\"tags\":[\"" + kWords[pick(std::size(kWords))] + "\"],\"active\":" +
                         (pick(2) ? "true" : "false") + "}";
      if (b.size() + item.size() + 1 + 20 > target) break;
      if (!first) b += ',';
      first = false;
      b += item;
    }
    b += "],\"next\":\"";
    const std::size_t used = b.size() + 2;
    if (used < target) b += hex(target - used);
    b += "\"}";
    return b;
  }

  Headers request_headers(const trafficdb::Request& rq, const std::string& host, const std::string& request_id,
                          bool has_body) {
    Headers hs;
    hs.reserve(10);
    hs.push_back({"Host", host});
    hs.push_back({"User-Agent", kUserAgents[pick(std::size(kUserAgents))]});
    hs.push_back({"Accept", "application/json, text/plain, */*"});
    hs.push_back({"Accept-Encoding", "gzip, deflate, br"});
    hs.push_back({"Accept-Language", kLanguages[pick(std::size(kLanguages))]});
    hs.push_back({"X-Request-Id", request_id});
    if (has_body) {
      hs.push_back({"Content-Type", "application/json"});
      hs.push_back({"Content-Length", std::to_string(rq.body.data.size())});
    }
    const std::size_t want = static_cast<std::size_t>(range(6, 10));
    constexpr std::size_t optional_count = 7;
    const std::size_t offset = static_cast<std::size_t>(pick(optional_count));
    for (std::size_t k = 0; k < optional_count && hs.size() < want; ++k) {
      switch ((offset + k) % optional_count) {
        case 0: hs.push_back({"Authorization", "Bearer " + hex(40)}); break;
        case 1: hs.push_back({"Cookie", "sid=" + hex(32) + "; theme=dark; _ga=GA1.2." + std::to_string(range(100000000, 900000000)) + "." + std::to_string(range(1000000000, 2000000000))}); break;
        case 2: hs.push_back({"Referer", "https://www.example.org/" + std::string(kResources[pick(std::size(kResources))]) + "/" + std::to_string(range(1, 99999))}); break;
        case 3: hs.push_back({"Cache-Control", "no-cache"}); break;
        case 4:
          if (rq.method == "GET") hs.push_back({"If-None-Match", "W/\"" + hex(16) + "\""});
          else hs.push_back({"Origin", "https://www.example.org"});
          break;
        case 5: hs.push_back({"Sec-Fetch-Mode", "cors"}); break;
        default: hs.push_back({"Connection", "keep-alive"}); break;
      }
    }
    return hs;
  }

  Headers response_headers(const trafficdb::Request& rq, const trafficdb::Response& rs,
                           const std::string& request_id, Micros started) {
    Headers hs;
    hs.reserve(10);
    hs.push_back({"Date", http_date(started)});
    hs.push_back({"Server", kServers[pick(std::size(kServers))]});
    hs.push_back({"Content-Length", std::to_string(rs.body.wire_size.value_or(0))});
    hs.push_back({"X-Request-Id", request_id});
    if (!rs.body.data.empty()) hs.push_back({"Content-Type", "application/json; charset=utf-8"});
    if (rs.body.encoding == "gzip") hs.push_back({"Content-Encoding", "gzip"});
    if (rs.status == 301) hs.push_back({"Location", rq.url + "/"});
    const std::size_t want = static_cast<std::size_t>(range(6, 10));
    constexpr std::size_t optional_count = 9;
    const std::size_t offset = static_cast<std::size_t>(pick(optional_count));
    for (std::size_t k = 0; k < optional_count && hs.size() < want; ++k) {
      switch ((offset + k) % optional_count) {
        case 0: hs.push_back({"Cache-Control", pick(2) ? "private, max-age=0, no-store" : "public, max-age=3600"}); break;
        case 1: hs.push_back({"ETag", "W/\"" + hex(16) + "\""}); break;
        case 2: hs.push_back({"Vary", "Accept-Encoding, Origin"}); break;
        case 3: hs.push_back({"Strict-Transport-Security", "max-age=31536000; includeSubDomains"}); break;
        case 4: hs.push_back({"Set-Cookie", "sid=" + hex(32) + "; Path=/; Secure; HttpOnly; SameSite=Lax"}); break;
        case 5: hs.push_back({"Access-Control-Allow-Origin", "*"}); break;
        case 6: hs.push_back({"X-RateLimit-Remaining", std::to_string(range(0, 5000))}); break;
        case 7: hs.push_back({"Via", "1.1 varnish"}); break;
        default: hs.push_back({"Alt-Svc", "h3=\":443\"; ma=86400"}); break;
      }
    }
    return hs;
  }

  std::mt19937_64 rng_;
  std::uint64_t body_bytes_;
  std::uint64_t distinct_;
  std::vector<std::string> pool_;
};

// The bytes a source hands over: every string field, header names and
// values, and the body bytes.
std::uint64_t input_bytes(const Exchange& e) {
  const trafficdb::Request& rq = e.request;
  std::uint64_t n = rq.method.size() + rq.url.size() + rq.scheme.size() + rq.host.size() + rq.path.size() +
                    (rq.query ? rq.query->size() : 0) + rq.http_version.size() + rq.body.data.size() +
                    rq.mime_type.size() + e.client_addr.size() + e.server_addr.size() + e.source_key.size() +
                    e.error.size();
  for (const Header& h : rq.headers) n += h.name.size() + h.value.size();
  if (e.response) {
    n += e.response->status_text.size() + e.response->http_version.size() + e.response->body.data.size() +
         e.response->mime_type.size();
    for (const Header& h : e.response->headers) n += h.name.size() + h.value.size();
  }
  return n;
}

struct Workload {
  std::vector<Exchange> exchanges;
  std::uint64_t input_bytes = 0;
  std::uint64_t response_bodies = 0;
  std::uint64_t response_body_bytes = 0;
  std::uint64_t request_bodies = 0;
  double seconds = 0;  // generation time
};

Workload generate(const Options& o) {
  Workload w;
  const auto t0 = Clock::now();
  Generator gen(o);
  w.exchanges.reserve(static_cast<std::size_t>(o.count));
  for (std::uint64_t i = 0; i < o.count; ++i) {
    Exchange e = gen.next(i);
    w.input_bytes += input_bytes(e);
    if (!e.request.body.data.empty()) ++w.request_bodies;
    if (e.response && !e.response->body.data.empty()) {
      ++w.response_bodies;
      w.response_body_bytes += e.response->body.data.size();
    }
    w.exchanges.push_back(std::move(e));
  }
  w.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return w;
}

// ---------------------------------------------------------------- runs







struct RunResult {
  double seconds = 0;
  std::uint64_t rows = 0;
  std::uint64_t db_bytes = 0;       // after the connection closed
  std::uint64_t wal_bytes = 0;      // likewise (0: checkpointed and removed)
  std::uint64_t wal_at_commit = 0;  // -wal size when the last commit returned
  std::uint64_t transactions = 0;
  std::uint64_t bodies_stored = 0;
  std::uint64_t bodies_reused = 0;
};

template <typename T>
T check(trafficdb::Result<T> r, const char* what) {
  if (!r.is_ok()) throw std::runtime_error(std::string(what) + ": " + r.status().message());
  return std::move(r).value();
}

void check(const trafficdb::Status& s, const char* what) {
  if (!s.is_ok()) throw std::runtime_error(std::string(what) + ": " + s.message());
}

RunResult run_writer(const Options& o, const std::string& path, std::vector<Exchange>& exchanges) {
  trafficdb::WriterOptions wo;
  wo.batch_size = static_cast<std::size_t>(o.batch);
  std::unique_ptr<trafficdb::Writer> writer = check(trafficdb::Writer::open(path, wo), "Writer::open");
  const std::int64_t session = check(
      writer->create_session({"writer_bench", trafficdb::session_source::har, "", trafficdb::session_status::recording, ""}),
      "create_session");
  std::unique_ptr<trafficdb::ExchangeSink> sink = writer->sink(session);

  RunResult r;
  const auto t0 = Clock::now();
  for (Exchange& e : exchanges) check(sink->consume(std::move(e)), "consume");
  check(writer->close(), "close");
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  r.wal_at_commit = file_size(path + "-wal");
  const trafficdb::WriterStats stats = writer->stats();
  r.rows = stats.exchanges;
  r.transactions = stats.transactions;
  r.bodies_stored = stats.bodies_stored;
  r.bodies_reused = stats.bodies_reused;
  // Untimed: mark the session done, then close the connection (checkpoints the WAL).
  check(writer->finish_session(session, trafficdb::session_status::imported, std::nullopt), "finish_session");
  sink.reset();
  writer.reset();
  r.db_bytes = file_size(path);
  r.wal_bytes = file_size(path + "-wal");
  return r;
}

// "Application/JSON; charset=utf-8" -> "application/json", as the Writer does.
std::string media_type(const Headers& headers, const std::string& hint) {
  std::string_view value = hint;
  if (const auto v = trafficdb::find_header(headers, "content-type")) value = *v;
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  std::string out(value);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void bind_text_or_null(SQLite::Statement& st, int index, const std::string& value) {
  if (value.empty()) st.bind(index);
  else st.bindNoCopy(index, value);
}

template <typename T>
void bind_optional(SQLite::Statement& st, int index, const std::optional<T>& value) {
  if (value) st.bind(index, static_cast<std::int64_t>(*value));
  else st.bind(index);
}

// Plain prepared INSERTs, one transaction per kBaselineRowsPerTransaction
// rows; each body is a new row under a random 32-byte key (no hashing, no
// lookup). Same row contents as the Writer writes (headers as JSON, media
// types, sizes, is_text).
RunResult run_baseline(const std::string& path, const std::vector<Exchange>& exchanges) {
  std::unique_ptr<SQLite::Database> db =
      check(trafficdb::open_database(path, trafficdb::OpenMode::read_write), "open_database");
  const std::int64_t session = check(
      trafficdb::insert_session(
          *db, {"writer_bench baseline", trafficdb::session_source::har, "", trafficdb::session_status::recording, ""}),
      "insert_session");

  RunResult r;
  {
    SQLite::Statement begin(*db, "BEGIN IMMEDIATE");
    SQLite::Statement commit(*db, "COMMIT");
    SQLite::Statement insert_body(*db, "INSERT INTO bodies(hash, size, encoding, is_text, data) VALUES(?, ?, ?, ?, ?)");
    SQLite::Statement insert_exchange(
        *db,
        "INSERT INTO exchanges(session_id, started_at, request_sent_at, response_started_at, "
        "ended_at, duration_ms, method, scheme, host, port, path, query, url, http_version, "
        "status, status_text, req_headers, resp_headers, req_content_type, resp_content_type, "
        "req_body_size, resp_body_size, req_wire_size, resp_wire_size, req_body_id, "
        "resp_body_id, client_addr, server_addr, error, source_key) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    SQLite::Statement update_session(
        *db,
        "UPDATE sessions SET exchange_count = exchange_count + ?2, error_count = error_count + ?3, "
        "first_exchange_at = ?4, last_exchange_at = ?5 WHERE id = ?1");
    std::mt19937_64 key_rng(12345);
    std::array<std::uint64_t, 4> key{};

    auto store_body = [&](const Body& body) -> std::optional<std::int64_t> {
      if (!body.captured || body.data.empty()) return std::nullopt;
      for (std::uint64_t& k : key) k = key_rng();
      insert_body.bindNoCopy(1, key.data(), static_cast<int>(sizeof key));
      insert_body.bind(2, static_cast<std::int64_t>(body.data.size()));
      bind_text_or_null(insert_body, 3, body.encoding);
      insert_body.bind(4, trafficdb::looks_like_text(body.data) ? 1 : 0);
      insert_body.bindNoCopy(5, body.data.data(), static_cast<int>(body.data.size()));
      insert_body.exec();
      insert_body.reset();
      ++r.bodies_stored;
      return static_cast<std::int64_t>(db->getLastInsertRowid());
    };

    std::uint64_t errors = 0;
    std::optional<Micros> first, last;
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
      if (i % kBaselineRowsPerTransaction == 0) {
        begin.exec();
        begin.reset();
      }
      const Exchange& e = exchanges[i];
      const trafficdb::Request& rq = e.request;
      const trafficdb::Response* rs = e.response ? &*e.response : nullptr;
      const auto req_body_id = store_body(rq.body);
      const auto resp_body_id = rs ? store_body(rs->body) : std::nullopt;
      const std::string req_headers = trafficdb::headers_to_json(rq.headers);
      const std::string resp_headers = rs ? trafficdb::headers_to_json(rs->headers) : std::string();
      const std::string req_type = media_type(rq.headers, rq.mime_type);
      const std::string resp_type = rs ? media_type(rs->headers, rs->mime_type) : std::string();
      const std::string& version = !rq.http_version.empty() || !rs ? rq.http_version : rs->http_version;

      SQLite::Statement& st = insert_exchange;
      st.bind(1, static_cast<std::int64_t>(session));
      bind_optional(st, 2, e.timings.started);
      bind_optional(st, 3, e.timings.request_sent);
      bind_optional(st, 4, e.timings.response_started);
      bind_optional(st, 5, e.timings.ended);
      if (e.timings.started && e.timings.ended) st.bind(6, (*e.timings.ended - *e.timings.started) / 1000.0);
      else st.bind(6);
      st.bindNoCopy(7, rq.method);
      bind_text_or_null(st, 8, rq.scheme);
      bind_text_or_null(st, 9, rq.host);
      bind_optional(st, 10, rq.port);
      st.bindNoCopy(11, rq.path);
      if (rq.query) st.bindNoCopy(12, *rq.query);
      else st.bind(12);
      st.bindNoCopy(13, rq.url);
      bind_text_or_null(st, 14, version);
      if (rs) {
        st.bind(15, rs->status);
        st.bindNoCopy(16, rs->status_text);
        st.bindNoCopy(18, resp_headers);
      } else {
        st.bind(15);
        st.bind(16);
        st.bind(18);
      }
      st.bindNoCopy(17, req_headers);
      bind_text_or_null(st, 19, req_type);
      bind_text_or_null(st, 20, resp_type);
      bind_optional(st, 21, rq.body.decoded_size());
      bind_optional(st, 22, rs ? rs->body.decoded_size() : std::nullopt);
      bind_optional(st, 23, rq.body.wire_size);
      bind_optional(st, 24, rs ? rs->body.wire_size : std::nullopt);
      bind_optional(st, 25, req_body_id);
      bind_optional(st, 26, resp_body_id);
      bind_text_or_null(st, 27, e.client_addr);
      bind_text_or_null(st, 28, e.server_addr);
      bind_text_or_null(st, 29, e.error);
      bind_text_or_null(st, 30, e.source_key);
      st.exec();
      st.reset();

      if (!e.error.empty()) ++errors;
      if (e.timings.started) {
        first = first ? std::min(*first, *e.timings.started) : *e.timings.started;
        last = last ? std::max(*last, *e.timings.started) : *e.timings.started;
      }
      if (i % kBaselineRowsPerTransaction == kBaselineRowsPerTransaction - 1 || i + 1 == exchanges.size()) {
        if (i + 1 == exchanges.size()) {  // session totals, once, in the last transaction
          update_session.bind(1, static_cast<std::int64_t>(session));
          update_session.bind(2, static_cast<std::int64_t>(exchanges.size()));
          update_session.bind(3, static_cast<std::int64_t>(errors));
          bind_optional(update_session, 4, first);
          bind_optional(update_session, 5, last);
          update_session.exec();
          update_session.reset();
        }
        commit.exec();
        commit.reset();
        ++r.transactions;
      }
      ++r.rows;
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  r.wal_at_commit = file_size(path + "-wal");
  check(trafficdb::finish_session(*db, session, trafficdb::session_status::imported, std::nullopt),
        "finish_session");
  db.reset();
  r.db_bytes = file_size(path);
  r.wal_bytes = file_size(path + "-wal");
  return r;
}

// ---------------------------------------------------------------- output





std::string baseline_path_for(const std::string& path) {
  const std::string suffix = ".db";
  if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
    return path.substr(0, path.size() - suffix.size()) + ".baseline.db";
  return path + ".baseline.db";
}

int run(const Options& o) {
  RemoveOnExit cleanup;
  const bool temporary = o.db_path.empty();
  std::string writer_path = o.db_path;
  if (temporary) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path();
    writer_path = (dir / ("trafficdb-writer-bench-" + std::to_string(::getpid()) + ".db")).string();
    cleanup.add_database(writer_path);
    cleanup.add_database(baseline_path_for(writer_path));
  }
  const std::string baseline_path = baseline_path_for(writer_path);
  for (const std::string& p : {writer_path, baseline_path}) {
    if (file_exists(p) || file_exists(p + "-wal")) {
      std::cerr << "writer_bench: " << p << " already exists; the benchmark needs a fresh file (remove it first)\n";
      return 1;
    }
  }

  std::cout << "SQLite " << sqlite3_libversion() << " (compiled against " << SQLITE_VERSION << ")\n";
  std::cout << "writer db: " << writer_path << (temporary ? " (temporary)" : "") << "\n";

  const Workload w = generate(o);
  const double n = static_cast<double>(o.count);
  const double avg_in = static_cast<double>(w.input_bytes) / n;
  const double avg_body =
      w.response_bodies ? static_cast<double>(w.response_body_bytes) / static_cast<double>(w.response_bodies) : 0.0;
  std::cout << "generated " << o.count << " exchanges in " << fixed(w.seconds, 2) << " s (not timed): "
            << fixed(static_cast<double>(w.input_bytes) / 1e6, 1) << " MB input, " << fixed(avg_in, 0)
            << " B/exchange, " << w.response_bodies << " response bodies averaging " << fixed(avg_body, 0) << " B, "
            << w.request_bodies << " request bodies; distinct response bodies: "
            << (o.distinct_bodies ? std::to_string(o.distinct_bodies) : std::string("all")) << "\n";

  // Each round: fresh files; the writer consumes (moves) a copy of the
  // workload, the baseline reads it. Odd rounds run the baseline first.
  std::vector<RunResult> writer_runs, baseline_runs;
  for (std::uint64_t round = 0; round < o.repeat; ++round) {
    if (round > 0) {
      remove_database(writer_path);
      remove_database(baseline_path);
    }
    auto writer_round = [&] {
      std::vector<Exchange> input = w.exchanges;  // untimed copy
      writer_runs.push_back(run_writer(o, writer_path, input));
      if (writer_runs.back().rows != o.count)
        throw std::runtime_error("writer committed " + std::to_string(writer_runs.back().rows) +
                                 " rows, expected " + std::to_string(o.count));
    };
    const bool baseline_first = o.baseline && round % 2 == 1;
    if (baseline_first) baseline_runs.push_back(run_baseline(baseline_path, w.exchanges));
    writer_round();
    if (o.baseline && !baseline_first) baseline_runs.push_back(run_baseline(baseline_path, w.exchanges));
    if (o.repeat > 1) {
      std::cout << "round " << round + 1 << "/" << o.repeat << ": writer "
                << fixed(n / writer_runs.back().seconds, 0) << " rows/s";
      if (o.baseline)
        std::cout << ", baseline " << fixed(n / baseline_runs.back().seconds, 0) << " rows/s, ratio "
                  << fixed(baseline_runs.back().seconds / writer_runs.back().seconds, 3)
                  << (baseline_first ? " (baseline first)" : "");
      std::cout << "\n";
    }
  }

  // Sizes, commits and body counts are the same every round; rates are medians.
  const RunResult& wr = writer_runs.back();
  std::vector<double> w_rates, b_rates, ratios;
  for (const RunResult& r : writer_runs) w_rates.push_back(n / r.seconds);
  for (std::size_t i = 0; i < baseline_runs.size(); ++i) {
    b_rates.push_back(n / baseline_runs[i].seconds);
    ratios.push_back(baseline_runs[i].seconds / writer_runs[i].seconds);
  }
  const double w_rows = median(w_rates);
  const double w_seconds = n / w_rows;
  const double w_mb = static_cast<double>(w.input_bytes) / 1e6 / w_seconds;
  const double w_disk = static_cast<double>(wr.db_bytes + wr.wal_bytes) / n;
  const std::string of = o.repeat > 1 ? " (median of " + std::to_string(o.repeat) + ")" : std::string();
  std::string line = "writer: " + std::to_string(o.count) + " exchanges, " + fixed(w_rows, 0) + " rows/s" + of +
                     ", " + fixed(w_mb, 1) + " MB/s input, " + fixed(w_disk, 0) + " B/exchange on disk, bodies " +
                     std::to_string(wr.bodies_stored) + " stored / " + std::to_string(wr.bodies_reused) +
                     " reused, " + std::to_string(wr.transactions) + " commits";
  std::string json = "{\"bench\":\"writer\",\"sqlite_version\":" + json_string(sqlite3_libversion()) +
                     ",\"count\":" + std::to_string(o.count) + ",\"body_bytes\":" + std::to_string(o.body_bytes) +
                     ",\"distinct_bodies\":" + std::to_string(o.distinct_bodies) + ",\"batch\":" +
                     std::to_string(o.batch) + ",\"seed\":" + std::to_string(o.seed) + ",\"repeat\":" +
                     std::to_string(o.repeat) + ",\"input_bytes\":" + std::to_string(w.input_bytes) +
                     ",\"generation_s\":" + fixed(w.seconds, 4) + ",\"generation_timed\":false,\"seconds\":" +
                     fixed(w_seconds, 4) + ",\"rows_per_s\":" + fixed(w_rows, 1) + ",\"rows_per_s_runs\":" +
                     json_array(w_rates, 1) + ",\"input_mb_per_s\":" + fixed(w_mb, 2) + ",\"db_bytes\":" +
                     std::to_string(wr.db_bytes) + ",\"wal_bytes\":" + std::to_string(wr.wal_bytes) +
                     ",\"wal_bytes_at_close\":" + std::to_string(wr.wal_at_commit) + ",\"bytes_per_exchange\":" +
                     fixed(w_disk, 1) + ",\"transactions\":" + std::to_string(wr.transactions) +
                     ",\"bodies_stored\":" + std::to_string(wr.bodies_stored) + ",\"bodies_reused\":" +
                     std::to_string(wr.bodies_reused);
  if (!baseline_runs.empty()) {
    const RunResult& br = baseline_runs.back();
    const double b_rows = median(b_rates);
    const double b_mb = static_cast<double>(w.input_bytes) / 1e6 / (n / b_rows);
    const double b_disk = static_cast<double>(br.db_bytes + br.wal_bytes) / n;
    const double ratio = median(ratios);
    line += "; baseline (raw SQLite, " + std::to_string(kBaselineRowsPerTransaction) + " rows/txn, no dedup): " +
            fixed(b_rows, 0) + " rows/s, " + fixed(b_mb, 1) + " MB/s, " + fixed(b_disk, 0) +
            " B/exchange; writer/baseline rows/s = " + fixed(ratio, 3) + of;
    json += ",\"baseline_rows_per_txn\":" + std::to_string(kBaselineRowsPerTransaction) +
            ",\"baseline_seconds\":" + fixed(n / b_rows, 4) + ",\"baseline_rows_per_s\":" + fixed(b_rows, 1) +
            ",\"baseline_rows_per_s_runs\":" + json_array(b_rates, 1) + ",\"baseline_input_mb_per_s\":" +
            fixed(b_mb, 2) + ",\"baseline_db_bytes\":" + std::to_string(br.db_bytes) +
            ",\"baseline_wal_bytes\":" + std::to_string(br.wal_bytes) + ",\"baseline_bytes_per_exchange\":" +
            fixed(b_disk, 1) + ",\"baseline_bodies\":" + std::to_string(br.bodies_stored) +
            ",\"ratio_rows_per_s\":" + fixed(ratio, 4) + ",\"ratio_runs\":" + json_array(ratios, 4);
  }
  json += "}";
  std::cout << line << "\n" << json << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (const auto code = parse_args(argc, argv, o)) return *code;
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "writer_bench: " << e.what() << "\n";
    return 1;
  }
}
