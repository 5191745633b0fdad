// query_bench's exchanges; see query_workload.h.

#include "query_workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "http_workload.h"
#include "workload_random.h"

namespace bench::query_workload {

using trafficdb::Exchange;
using trafficdb::Headers;
using trafficdb::Micros;

namespace {

std::string iso_date(Micros micros) {
  const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

// Weighted choice from (cumulative weight, value) with a 53-bit uniform.
struct Weighted {
  std::vector<std::pair<double, int>> cumulative;
  Weighted(std::initializer_list<std::pair<double, int>> items) {
    double sum = 0;
    for (const auto& [w, v] : items) cumulative.emplace_back(sum += w, v);
  }
  int pick(std::uint64_t bits) const {
    const double u = static_cast<double>(bits >> 11) * 0x1.0p-53 * cumulative.back().first;
    for (const auto& [c, v] : cumulative)
      if (u < c) return v;
    return cumulative.back().second;
  }
};

const Weighted kGetStatus{{78, 200}, {4, 304}, {2, 401}, {1, 403}, {8, 404}, {1, 429}, {3, 500}, {1, 502}, {1, 503}, {1, 504}};
const Weighted kPostStatus{{55, 201}, {20, 200}, {8, 400}, {2, 401}, {3, 409}, {5, 422}, {2, 429}, {3, 500}, {1, 502}, {1, 503}};
const Weighted kPutStatus{{70, 200}, {10, 204}, {6, 400}, {6, 404}, {3, 409}, {3, 500}, {2, 503}};
const Weighted kDeleteStatus{{70, 204}, {5, 200}, {15, 404}, {4, 403}, {4, 500}, {2, 502}};
const Weighted kAssetStatus{{70, 200}, {25, 304}, {4, 404}, {1, 503}};
const Weighted kWebStatus{{82, 200}, {6, 302}, {2, 301}, {5, 404}, {3, 500}, {2, 502}};
const Weighted kTelemetryStatus{{80, 204}, {14, 200}, {4, 429}, {2, 503}};

}  // namespace

class QueryWorkload::Impl {
 public:
  static constexpr Micros kEpoch = 1736848800000000;  // 2025-01-14T10:00:00Z
  static constexpr Micros kSpan = 86400LL * 1000000;  // 24 hours

  Impl(std::uint64_t seed, std::uint64_t count, std::uint64_t body_bytes)
      : rng_(seed), count_(count), body_bytes_(body_bytes) {
    double sum = 0;
    for (std::size_t k = 0; k < kHostCount; ++k) host_cumulative_.push_back(sum += 1.0 / std::pow(k + 1.0, kZipfExponent));
    // About 38% of the rows get a unique JSON response body; a rare word goes
    // into one such body with probability p, so that each of the
    // kRareWordCount words is in about 0.1% of the rows.
    rare_per_million_ = static_cast<std::uint64_t>(1e6 * 0.001 * kRareWordCount / 0.38);
    build_pools();
  }

  Exchange next(std::uint64_t index) {
    Exchange e;
    trafficdb::Request& rq = e.request;
    const std::size_t host_index = pick_host();
    const HostDef& host = kHosts[host_index];
    rq.host = host.name;
    const bool https = pick(100) < 97;
    rq.scheme = https ? "https" : "http";
    rq.port = https ? 443 : 80;
    rq.http_version = pick(100) < 70 ? "HTTP/2" : "HTTP/1.1";

    // What the response will be; filled below by kind.
    int status = 200;
    std::string resp_body, resp_type, location;
    bool resp_unique_json = false;

    switch (host.kind) {
      case HostKind::api: {
        const std::uint64_t m = pick(100);
        rq.method = m < 62 ? "GET" : m < 80 ? "POST" : m < 88 ? "PUT" : m < 92 ? "PATCH" : "DELETE";
        const std::string resource = kResources[pick(std::size(kResources))];
        const std::string api = pick(3) ? "/api/v1/" : "/api/v2/";
        const std::uint64_t shape = pick(100);
        if (rq.method == "GET") {
          if (shape < 25) rq.path = api + resource;
          else if (shape < 55) rq.path = api + resource + "/" + numeric_id();
          else if (shape < 75) rq.path = api + resource + "/" + uuid();
          else if (shape < 90) rq.path = api + resource + "/" + numeric_id() + "/" + sub_resource();
          else rq.path = api + resource + "/" + uuid() + "/" + sub_resource() + "/" + numeric_id();
          if (shape < 25 || pick(100) < 15) rq.query = api_query_string(rng_, index, kWords);
          status = kGetStatus.pick(rng_.bits());
        } else if (rq.method == "POST") {
          rq.path = shape < 60 ? api + resource : api + resource + "/" + numeric_id() + "/" + sub_resource();
          status = kPostStatus.pick(rng_.bits());
        } else {
          rq.path = api + resource + "/" + (shape < 60 ? numeric_id() : uuid());
          status = rq.method == "DELETE" ? kDeleteStatus.pick(rng_.bits()) : kPutStatus.pick(rng_.bits());
        }
        if (rq.method == "POST" || rq.method == "PUT" || rq.method == "PATCH") rq.body.data = request_json(index);
        if (status == 200 || status == 201) {
          resp_body = json_body(resource);
          resp_unique_json = true;
        } else if (status >= 400) {
          resp_body = error_json(status, resource);
        }
        resp_type = "application/json";
        break;
      }
      case HostKind::graphql: {
        const bool get = pick(100) < 10;
        rq.method = get ? "GET" : "POST";
        rq.path = "/graphql";
        const std::string op = kGraphqlOps[pick(std::size(kGraphqlOps))];
        if (get) rq.query = "operationName=" + op + "&variables=%7B%22id%22%3A%22" + numeric_id() + "%22%7D";
        else
          rq.body.data = "{\"operationName\":\"" + op + "\",\"variables\":{\"id\":\"" + numeric_id() +
                         "\",\"first\":" + std::to_string(range(5, 50)) + "},\"query\":\"query " + op +
                         "($id: ID!) { node(id: $id) { id name status items { name price } } }\"}";
        status = kGetStatus.pick(rng_.bits());
        if (status == 304) status = 200;
        if (status == 200) {
          resp_body = json_body("node");
          resp_unique_json = true;
        } else if (status >= 400) {
          resp_body = error_json(status, "node");
        }
        resp_type = "application/json";
        break;
      }
      case HostKind::web: {
        const bool post = pick(100) < 5;
        rq.method = post ? "POST" : "GET";
        const std::uint64_t shape = pick(100);
        if (post) rq.path = "/login";
        else if (shape < 15) rq.path = "/";
        else if (shape < 50) rq.path = "/products/" + numeric_id();
        else if (shape < 65) rq.path = "/blog/" + std::string(word()) + "-" + word() + "-" + std::to_string(range(1, 9999));
        else if (shape < 80) rq.path = "/category/" + std::string(word());
        else if (shape < 90) rq.path = "/account/orders/" + uuid();
        else {
          rq.path = "/search";
          rq.query = "q=" + std::string(word()) + "+" + word() + "&page=" + std::to_string(range(1, 5));
        }
        if (post) {
          rq.body.data = "username=" + std::string(word()) + std::to_string(range(1, 99999)) + "&password=" + hex(16);
          rq.mime_type = "application/x-www-form-urlencoded";
        }
        status = post ? (pick(100) < 80 ? 302 : 401) : kWebStatus.pick(rng_.bits());
        if (status == 302 || status == 301) location = "https://" + rq.host + "/account";
        if (status != 302 && status != 301) resp_body = html_pool_[pick(html_pool_.size())];
        resp_type = "text/html";
        break;
      }
      case HostKind::assets: {
        rq.method = "GET";
        const std::uint64_t kind = pick(100);
        std::size_t k = 0;
        if (kind < 55) {
          k = pick(png_pool_.size());
          rq.path = "/assets/img/" + std::string(kWords[k % kWordCount]) + "-" + std::to_string(k) + ".png";
          resp_body = png_pool_[k];
          resp_type = "image/png";
        } else if (kind < 80) {
          k = pick(js_pool_.size());
          rq.path = "/static/js/" + std::string(kWords[k % kWordCount]) + "." + pool_hash(k) + ".js";
          resp_body = js_pool_[k];
          resp_type = "application/javascript";
        } else if (kind < 95) {
          k = pick(css_pool_.size());
          rq.path = "/static/css/" + std::string(kWords[k % kWordCount]) + "." + pool_hash(k + 1000) + ".css";
          resp_body = css_pool_[k];
          resp_type = "text/css";
        } else {
          k = pick(font_pool_.size());
          rq.path = "/fonts/" + std::string(kWords[k % kWordCount]) + "-regular.woff2";
          resp_body = font_pool_[k];
          resp_type = "font/woff2";
        }
        if (pick(100) < 10) rq.query = "v=" + pool_hash(k + 7);
        status = kAssetStatus.pick(rng_.bits());
        if (status != 200) {
          resp_body.clear();
          if (status >= 400) resp_type = "text/html";
        }
        if (status >= 400) resp_body = error_page(status);
        break;
      }
      case HostKind::telemetry: {
        const std::uint64_t shape = pick(100);
        if (shape < 70) {
          rq.method = "POST";
          rq.path = pick(2) ? "/v1/events" : "/collect";
          rq.body.data = telemetry_json(index);
        } else {
          rq.method = "GET";
          rq.path = "/pixel.gif";
          rq.query = "cid=" + hex(16) + "&ev=page_view&dl=%2Fproducts%2F" + numeric_id();
        }
        status = kTelemetryStatus.pick(rng_.bits());
        if (status == 200) {
          resp_body = "{\"ok\":true,\"received\":" + std::to_string(range(1, 5)) + "}";
          resp_type = "application/json";
        }
        break;
      }
    }
    set_url(rq);
    if (!rq.body.data.empty()) {
      rq.body.size = static_cast<std::int64_t>(rq.body.data.size());
      rq.body.wire_size = rq.body.size;
    }

    // Timings: spread evenly over 24 hours; lognormal durations with a tail.
    const Micros spacing = std::max<Micros>(1, kSpan / static_cast<Micros>(count_));
    const Micros started = kEpoch + static_cast<Micros>(index) * spacing + static_cast<Micros>(pick(static_cast<std::uint64_t>(spacing)));
    double ms = std::exp(normal_(rng_.engine()) * 0.8 + (host.kind == HostKind::assets ? 2.7 : 4.2));  // ~15 / ~67 ms
    if (pick(1000) < 15) ms *= static_cast<double>(range(10, 60));  // slow tail
    if (status == 504) ms = 30000 + static_cast<double>(pick(2000));
    const Micros total = std::max<Micros>(1000, static_cast<Micros>(ms * 1000));
    const Micros sent = started + std::min<Micros>(total / 10, static_cast<Micros>(range(100, 2000)));
    e.timings.started = started;
    e.timings.request_sent = sent;

    const std::string request_id = uuid();
    rq.headers = request_headers(rq, host.kind, request_id);
    e.client_addr = "192.168.1." + std::to_string(10 + index % 7) + ":" + std::to_string(range(49152, 65535));
    e.server_addr = "93.184." + std::to_string(100 + host_index) + "." + std::to_string(10 + host_index) + ":" +
                    std::to_string(*rq.port);
    e.source_key = "entries[" + std::to_string(index) + "]";

    if (pick(1000) < 10) {  // ~1% failed: no response
      e.error = kErrors[pick(std::size(kErrors))];
      e.timings.ended = started + (e.error.rfind("timed out", 0) == 0 ? 30000000 : total);
      return e;
    }
    e.timings.response_started = started + total - std::min<Micros>(total / 5, static_cast<Micros>(range(100, 20000)));
    e.timings.ended = started + total;

    trafficdb::Response& rs = e.response.emplace();
    rs.status = status;
    rs.status_text = status_text(status);
    rs.http_version = rq.http_version;
    if (resp_unique_json && pick(1000000) < rare_per_million_) add_rare_word(resp_body);
    rs.body.data = std::move(resp_body);
    rs.body.size = static_cast<std::int64_t>(rs.body.data.size());
    const bool compressible = resp_type != "image/png" && resp_type != "font/woff2";
    if (compressible && rs.body.data.size() > 256 && pick(100) < 70) {
      rs.body.encoding = pick(3) ? "gzip" : "br";
      rs.body.wire_size = static_cast<std::int64_t>(rs.body.data.size() * 3 / 10 + 20);
    } else {
      rs.body.wire_size = rs.body.size;
    }
    rs.headers = response_headers(rng_, rs, content_type_header(rs.body.data.empty() ? std::string() : resp_type),
                                  location, request_id, started, 8);
    return e;
  }

  std::uint64_t rare_word_bodies() const { return rare_bodies_; }

 private:
  std::uint64_t pick(std::uint64_t n) { return rng_.index(n); }
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) { return rng_.range(lo, hi); }
  std::string hex(std::size_t n) { return rng_.hex(n); }
  std::string uuid() { return rng_.uuid(); }
  const char* word() { return kWords[pick(kWordCount)]; }
  std::string sub_resource() { return kSubResources[pick(std::size(kSubResources))]; }
  std::string numeric_id() { return std::to_string(range(1000, 9999999)); }

  std::size_t pick_host() {
    const double u = rng_.unit() * host_cumulative_.back();
    return static_cast<std::size_t>(std::upper_bound(host_cumulative_.begin(), host_cumulative_.end(), u) -
                                    host_cumulative_.begin()) % kHostCount;
  }

  static std::string pool_hash(std::size_t k) {
    std::uint64_t x = (k + 1) * 0x9E3779B97F4A7C15ULL;
    x ^= x >> 29;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(x & 0xffffffffULL));
    return buf;
  }

  std::string sentence(std::size_t words) {
    std::string s;
    for (std::size_t i = 0; i < words; ++i) {
      if (i) s += ' ';
      s += word();
    }
    return s;
  }

  // Unique JSON: ids, a request id, prices, dates and sentences of common
  // words. Size: 60% small (B/8..B/2), 35% medium (B/2..2B), 5% large (2B..10B).
  std::string json_body(const std::string& resource) {
    const std::uint64_t b = body_bytes_;
    const std::uint64_t r = pick(100);
    const std::size_t target = static_cast<std::size_t>(r < 60 ? range(b / 8, b / 2) : r < 95 ? range(b / 2, 2 * b)
                                                                                                : range(2 * b, 10 * b));
    std::string out;
    out.reserve(target + 400);
    out += "{\"request_id\":\"" + uuid() + "\",\"object\":\"" + resource + "\",\"data\":[";
    for (bool first = true; first || out.size() + 60 < target; first = false) {
      if (!first) out += ',';
      const std::uint64_t cents = range(99, 99999);
      out += "{\"id\":" + numeric_id() + ",\"name\":\"" + word() + " " + word() + "\",\"description\":\"" +
             sentence(range(4, 14)) + "\",\"price\":" + std::to_string(cents / 100) + "." +
             std::to_string(10 + cents % 90) + ",\"currency\":\"EUR\",\"tags\":[\"" + word() + "\",\"" + word() +
             "\"],\"updated_at\":\"" + iso_date(kEpoch - static_cast<Micros>(pick(std::uint64_t{1} << 45))) +
             "\",\"active\":" + (pick(2) ? "true" : "false") + "}";
    }
    out += "],\"page\":{\"next_cursor\":\"" + hex(16) + "\",\"total\":" + std::to_string(range(1, 5000)) + "}}";
    return out;
  }

  // Puts one rare word into the first description.
  void add_rare_word(std::string& body) {
    const std::size_t at = body.find("\"description\":\"");
    if (at == std::string::npos) return;
    const std::string w = std::string(kRareWords[pick(kRareWordCount)]) + " ";
    body.insert(at + 15, w);
    ++rare_bodies_;
  }

  std::string error_json(int status, const std::string& resource) {
    static const char* const codes[] = {"invalid_request", "unauthorized", "forbidden", "not_found", "conflict",
                                        "validation_failed", "rate_limited", "internal_error", "upstream_error"};
    const char* code = status == 400 ? codes[0] : status == 401 ? codes[1] : status == 403 ? codes[2]
                       : status == 404 ? codes[3] : status == 409 ? codes[4] : status == 422 ? codes[5]
                       : status == 429 ? codes[6] : status == 500 ? codes[7] : codes[8];
    return "{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\"" + resource + " " + word() + " " +
           status_text(status) + "\",\"request_id\":\"" + uuid() + "\"}}";
  }

  std::string error_page(int status) {
    return "<html><head><title>" + std::to_string(status) + " " + status_text(status) +
           "</title></head><body><center><h1>" + std::to_string(status) + " " + status_text(status) +
           "</h1></center><hr><center>nginx</center></body></html>";
  }

  std::string request_json(std::uint64_t index) {
    return "{\"name\":\"" + std::string(word()) + "-" + hex(8) + "\",\"quantity\":" + std::to_string(range(1, 20)) +
           ",\"note\":\"" + sentence(range(2, 10)) + "\",\"client_ts\":" + std::to_string(index) + "}";
  }

  std::string telemetry_json(std::uint64_t index) {
    std::string out = "{\"client_id\":\"" + hex(16) + "\",\"events\":[";
    const std::uint64_t n = range(1, 5);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (i) out += ',';
      out += "{\"type\":\"" + std::string(pick(2) ? "page_view" : "click") + "\",\"ts\":" +
             std::to_string(1736848800000 + index * 86 + i) + ",\"path\":\"/products/" + numeric_id() +
             "\",\"ref\":\"" + word() + "\"}";
    }
    return out + "]}";
  }

  void build_pools() {
    auto binary = [&](const char* magic, std::size_t lo, std::size_t hi) {
      std::string s = magic;
      const std::size_t n = static_cast<std::size_t>(range(lo, hi));
      while (s.size() < n) {
        const std::uint64_t bits = rng_.bits();
        for (int k = 0; k < 8 && s.size() < n; ++k) s += static_cast<char>((bits >> (8 * k)) & 0xff);
      }
      s[s.size() / 2] = '\0';  // never valid text
      return s;
    };
    for (int k = 0; k < 400; ++k) png_pool_.push_back(binary("\x89PNG\r\n\x1a\n", 300, 12000));
    for (int k = 0; k < 12; ++k) font_pool_.push_back(binary("wOF2", 12000, 40000));
    for (int k = 0; k < 80; ++k) {
      std::string js = "(function(){\"use strict\";";
      const std::size_t n = static_cast<std::size_t>(range(2000, 30000));
      while (js.size() < n)
        js += "function " + std::string(word()) + "_" + hex(4) + "(e,t){return e." + word() + "(t)||\"" +
              sentence(3) + "\"}";
      js_pool_.push_back(js + "})();");
    }
    for (int k = 0; k < 30; ++k) {
      std::string css;
      const std::size_t n = static_cast<std::size_t>(range(1000, 12000));
      while (css.size() < n)
        css += "." + std::string(word()) + "-" + word() + "{color:#" + hex(6) + ";margin:" +
               std::to_string(range(0, 24)) + "px}";
      css_pool_.push_back(css);
    }
    for (int k = 0; k < 800; ++k) {
      std::string html = "<!doctype html><html><head><title>" + sentence(4) +
                         "</title></head><body><nav>" + sentence(6) + "</nav><main>";
      const std::size_t n = static_cast<std::size_t>(range(1500, 9000));
      while (html.size() < n) html += "<p>" + sentence(range(8, 30)) + "</p>";
      html_pool_.push_back(html + "</main></body></html>");
    }
  }

  Headers request_headers(const trafficdb::Request& rq, HostKind kind, const std::string& request_id) {
    Headers hs = request_headers_start(rng_, rq,
                                       kind == HostKind::web ? "text/html,application/xhtml+xml,*/*;q=0.8"
                                                             : "application/json, text/plain, */*",
                                       request_id, rq.mime_type.empty() ? "application/json" : rq.mime_type);
    if (kind == HostKind::api || kind == HostKind::graphql) hs.push_back({"Authorization", "Bearer " + hex(40)});
    const std::size_t want = static_cast<std::size_t>(range(7, 11));
    add_optional_headers(rng_, hs, want, 6, [&](std::size_t choice) {
      switch (choice) {
        case 0: hs.push_back({"Cookie", "sid=" + hex(32) + "; theme=dark; _ga=GA1.2." + std::to_string(range(100000000, 900000000))}); break;
        case 1: hs.push_back({"Referer", "https://www.example.com/products/" + numeric_id()}); break;
        case 2: hs.push_back({"Cache-Control", "no-cache"}); break;
        case 3:
          if (rq.method == "GET") hs.push_back({"If-None-Match", "W/\"" + hex(16) + "\""});
          else hs.push_back({"Origin", "https://www.example.com"});
          break;
        case 4: hs.push_back({"Sec-Fetch-Mode", "cors"}); break;
        default: hs.push_back({"Connection", "keep-alive"}); break;
      }
    });
    return hs;
  }

  // The Content-Type header of a response body of `type` ("" when none).
  static std::string content_type_header(const std::string& type) {
    if (type.empty()) return type;
    const bool text = type.rfind("text/", 0) == 0 || type == "application/json" || type == "application/javascript";
    return text ? type + "; charset=utf-8" : type;
  }

  WorkloadRandom rng_;
  std::normal_distribution<double> normal_;
  std::uint64_t count_;
  std::uint64_t body_bytes_;
  std::vector<double> host_cumulative_;
  std::uint64_t rare_per_million_ = 0;
  std::uint64_t rare_bodies_ = 0;
  std::vector<std::string> png_pool_, font_pool_, js_pool_, css_pool_, html_pool_;
};

QueryWorkload::QueryWorkload(std::uint64_t seed, std::uint64_t count, std::uint64_t body_bytes)
    : impl_(std::make_unique<Impl>(seed, count, body_bytes)) {}

QueryWorkload::~QueryWorkload() = default;

Exchange QueryWorkload::next(std::uint64_t index) { return impl_->next(index); }

std::uint64_t QueryWorkload::rare_word_bodies() const { return impl_->rare_word_bodies(); }

}  // namespace bench::query_workload
