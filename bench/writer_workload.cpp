// writer_bench's rows; see writer_workload.h.

#include "writer_workload.h"

#include <chrono>
#include <iterator>
#include <string>

#include "http_workload.h"
#include "workload_random.h"

namespace bench {
namespace {

using trafficdb::Exchange;
using trafficdb::Header;
using trafficdb::Headers;
using trafficdb::Micros;

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

class Generator {
 public:
  explicit Generator(const WriterWorkloadOptions& o)
      : rng_(o.seed), body_bytes_(o.body_bytes), distinct_(o.distinct_bodies) {
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
    const std::string id = std::to_string(rng_.range(1, 9999999));
    const std::uint64_t shape = pick(100);
    if (rq.method == "GET") {
      if (shape < 40) rq.path = api + resource + "/" + id;
      else if (shape < 60) rq.path = api + resource;
      else if (shape < 80) rq.path = api + resource + "/" + id + "/" + kResources[pick(std::size(kResources))];
      else rq.path = "/" + resource + "/" + id;
      if (pick(100) < 35) rq.query = api_query_string(rng_, index, kWords);
    } else if (rq.method == "POST") {
      rq.path = shape < 60 ? api + resource : api + resource + "/" + id + "/" + kResources[pick(std::size(kResources))];
    } else {
      rq.path = api + resource + "/" + id;
    }
    set_url(rq);

    const bool has_request_body = rq.method == "POST" || rq.method == "PUT";
    if (has_request_body) {
      std::string b = "{\"name\":\"" + std::string(kWords[pick(std::size(kWords))]) + "-" + rng_.hex(8) +
                      "\",\"quantity\":" + std::to_string(rng_.range(1, 20)) + ",\"note\":\"";
      b += std::string(static_cast<std::size_t>(rng_.range(10, 150)), 'n');
      b += "\",\"client_ts\":" + std::to_string(index) + "}";
      rq.body.size = static_cast<std::int64_t>(b.size());
      rq.body.wire_size = static_cast<std::int64_t>(b.size());
      rq.body.data = std::move(b);
    }

    // Timings: an exchange about every 4 ms, 2-150 ms to first byte.
    const Micros started = kEpoch + static_cast<Micros>(index) * 4000 + static_cast<Micros>(pick(3000));
    const Micros sent = started + static_cast<Micros>(rng_.range(100, 2000));
    const Micros first_byte = sent + static_cast<Micros>(rng_.range(2000, 150000));
    const Micros ended = first_byte + static_cast<Micros>(rng_.range(100, 20000));
    e.timings.started = started;
    e.timings.request_sent = sent;

    const std::string request_id = rng_.uuid();
    rq.headers = request_headers(rq, request_id);

    e.client_addr = "192.168.1." + std::to_string(10 + index % 5) + ":" + std::to_string(rng_.range(49152, 65535));
    e.server_addr = "93.184." + std::to_string(200 + host_index) + "." + std::to_string(10 + host_index) + ":" +
                    std::to_string(*rq.port);
    e.source_key = "entries[" + std::to_string(index) + "]";

    if (pick(1000) < 3) {  // a few failed exchanges: no response
      e.timings.ended = sent + static_cast<Micros>(rng_.range(1000, 30000));
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
    rs.headers = response_headers(rng_, rs, rs.body.data.empty() ? "" : "application/json; charset=utf-8",
                                  rs.status == 301 ? rq.url + "/" : std::string(), request_id, started, 9);
    return e;
  }

 private:
  static constexpr Micros kEpoch = 1736848800000000;  // 2025-01-14T10:00:00Z

  std::uint64_t pick(std::uint64_t n) { return rng_.index(n); }

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
    const std::size_t target = static_cast<std::size_t>(rng_.range(body_bytes_ / 2, body_bytes_ + body_bytes_ / 2));
    std::string b;
    b.reserve(target + 160);
    b += "{\"id\":" + std::to_string(id) + ",\"object\":\"list\",\"data\":[";
    bool first = true;
    for (;;) {
      const std::uint64_t cents = rng_.range(99, 99999);
      std::string item = "{\"id\":" + std::to_string(rng_.range(1, 9999999)) + ",\"name\":\"" +
                         kWords[pick(std::size(kWords))] + "-" + rng_.hex(6) + "\",\"price\":" +
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
    if (used < target) b += rng_.hex(target - used);
    b += "\"}";
    return b;
  }

  Headers request_headers(const trafficdb::Request& rq, const std::string& request_id) {
    Headers hs = request_headers_start(rng_, rq, "application/json, text/plain, */*", request_id, "application/json");
    const std::size_t want = static_cast<std::size_t>(rng_.range(6, 10));
    add_optional_headers(rng_, hs, want, 7, [&](std::size_t choice) {
      switch (choice) {
        case 0: hs.push_back({"Authorization", "Bearer " + rng_.hex(40)}); break;
        case 1: hs.push_back({"Cookie", "sid=" + rng_.hex(32) + "; theme=dark; _ga=GA1.2." + std::to_string(rng_.range(100000000, 900000000)) + "." + std::to_string(rng_.range(1000000000, 2000000000))}); break;
        case 2: hs.push_back({"Referer", "https://www.example.org/" + std::string(kResources[pick(std::size(kResources))]) + "/" + std::to_string(rng_.range(1, 99999))}); break;
        case 3: hs.push_back({"Cache-Control", "no-cache"}); break;
        case 4:
          if (rq.method == "GET") hs.push_back({"If-None-Match", "W/\"" + rng_.hex(16) + "\""});
          else hs.push_back({"Origin", "https://www.example.org"});
          break;
        case 5: hs.push_back({"Sec-Fetch-Mode", "cors"}); break;
        default: hs.push_back({"Connection", "keep-alive"}); break;
      }
    });
    return hs;
  }

  WorkloadRandom rng_;
  std::uint64_t body_bytes_;
  std::uint64_t distinct_;
  std::vector<std::string> pool_;
};

}  // namespace

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

WriterWorkload generate_writer_workload(const WriterWorkloadOptions& o) {
  WriterWorkload w;
  const auto t0 = std::chrono::steady_clock::now();
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
  w.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return w;
}

}  // namespace bench
