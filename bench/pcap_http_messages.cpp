// Hosts, clients, body pools and the wire bytes of each kind of HTTP/1.1
// exchange in the pcap workload; see pcap_http_messages.h.

#include "pcap_http_messages.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>

#include "gzip.h"
#include "http_workload.h"
#include "pcap_texts.h"

namespace bench::pcap_workload {
namespace {

const char* const kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.105 "
    "Mobile Safari/537.36",
    "okhttp/4.12.0",
    "curl/7.88.1",
    "python-requests/2.31.0",
    "ShopApp/5.12.1 (iOS 17.3; iPhone15,2) Alamofire/5.8.1"};

const char* const kLanguages[] = {"en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9,en;q=0.7",
                                  "en-GB,en;q=0.9", "ja-JP,ja;q=0.9,en;q=0.6", "es-ES,es;q=0.9"};

struct HostSpec {
  const char* name;
  std::uint16_t port;
  HostProfile profile;
  const char* server;
  double weight;
};

const HostSpec kHosts[] = {{"api.shop.example", 80, HostProfile::api, "nginx/1.24.0", 9},
                           {"api.payments.example", 80, HostProfile::api, "envoy", 3},
                           {"auth.shop.example", 80, HostProfile::api, "nginx/1.24.0", 2},
                           {"search.shop.example", 80, HostProfile::api, "openresty", 4},
                           {"recs.shop.example", 80, HostProfile::api, "gunicorn", 3},
                           {"graphql.social.example", 80, HostProfile::api, "cloudflare", 5},
                           {"api.weather.example", 80, HostProfile::api, "Apache/2.4.58 (Debian)", 2},
                           {"telemetry.app.example", 80, HostProfile::api, "envoy", 4},
                           {"inventory.corp.example", 8080, HostProfile::api, "Jetty(11.0.20)", 2},
                           {"metrics.corp.example", 8080, HostProfile::api, "Go-http-server", 1},
                           {"www.shop.example", 80, HostProfile::web, "nginx/1.24.0", 8},
                           {"www.news.example", 80, HostProfile::web, "Apache/2.4.58 (Debian)", 5},
                           {"blog.devtools.example", 80, HostProfile::web, "cloudflare", 3},
                           {"docs.devtools.example", 80, HostProfile::web, "nginx/1.22.1", 3},
                           {"m.social.example", 80, HostProfile::web, "openresty", 4},
                           {"static.shop.example", 80, HostProfile::assets, "nginx/1.24.0", 7},
                           {"cdn.news.example", 80, HostProfile::assets, "ECAcc (lhd/2F3A)", 5},
                           {"img.shop.example", 80, HostProfile::assets, "nginx/1.24.0", 4},
                           {"assets.social.example", 80, HostProfile::assets, "cloudflare", 4},
                           {"fonts.cdn.example", 80, HostProfile::assets, "sffe", 2}};

// Exchange kinds per host profile, in ExchangeKind order (aborted: 0, the
// connection simulation decides that).
using KindWeights = std::array<double, kKindCount>;
//                                    json html chunk gzip  304 post cont  del 404 large abort
constexpr KindWeights kApiKinds = {{44, 0, 11, 5, 10, 17, 2, 5, 6, 0, 0}};
constexpr KindWeights kWebKinds = {{8, 14, 11, 19, 30, 4, 0, 0, 3, 0.15, 0}};
constexpr KindWeights kAssetKinds = {{6, 0, 0, 33, 46, 0, 0, 0, 2, 0.8, 0}};

const char* const kApiResources[] = {"products", "orders",          "users",  "carts",    "reviews",
                                     "sessions", "recommendations", "stores", "payments", "events"};

std::uint32_t ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return static_cast<std::uint32_t>(a) << 24 | static_cast<std::uint32_t>(b) << 16 |
         static_cast<std::uint32_t>(c) << 8 | d;
}

}  // namespace

std::string_view kind_name(ExchangeKind kind) {
  static const char* const names[kKindCount] = {"json",          "html",   "chunked",   "gzip",  "not_modified", "post",
                                                "post_continue", "delete", "not_found", "large", "aborted"};
  return names[static_cast<std::size_t>(kind)];
}

HttpMessages::HttpMessages(WorkloadRandom& rng, bool api_json) : rng_(rng), api_json_(api_json) {
  for (std::size_t i = 0; i < std::size(kHosts); ++i) {
    const HostSpec& s = kHosts[i];
    Host h;
    h.name = s.name;
    h.port = s.port;
    h.ip = s.port == 8080
               ? ipv4(10, 20, 0, static_cast<std::uint8_t>(10 + i))
               : ipv4(i % 2 ? 198 : 203, i % 2 ? 51 : 0, i % 2 ? 100 : 113, static_cast<std::uint8_t>(20 + i));
    h.profile = s.profile;
    h.server = s.server;
    h.weight = api_json && s.profile != HostProfile::api ? 0 : s.weight;
    h.rtt_us = s.port == 8080 ? static_cast<std::int64_t>(rng.range(300, 2000))
                              : static_cast<std::int64_t>(rng.range(8000, 120000));
    h.think_us = s.profile == HostProfile::assets ? static_cast<std::int64_t>(rng.range(200, 3000))
                                                  : static_cast<std::int64_t>(rng.range(5000, 60000));
    h.ttl = static_cast<std::uint8_t>(s.port == 8080 ? 63 : 64 - rng.range(6, 18));
    hosts_.push_back(std::move(h));
  }
  for (std::uint8_t i = 0; i < 32; ++i) {
    Client c;
    c.ip = ipv4(192, 168, 1, static_cast<std::uint8_t>(20 + i));
    c.user_agent = kUserAgents[rng.index(std::size(kUserAgents))];
    c.accept_language = kLanguages[rng.index(std::size(kLanguages))];
    c.cookie = "sid=" + rng.hex(32) + "; _ga=GA1.2." + number(rng.range(100000000, 999999999)) + "." +
               number(rng.range(1700000000, 1710000000)) + "; theme=" + (rng.chance(0.5) ? "dark" : "light");
    c.bearer = "eyJhbGciOiJIUzI1NiJ9." + rng.hex(48) + "." + rng.hex(43);
    clients_.push_back(std::move(c));
  }

  for (int i = 0; i < 256; ++i) {
    PooledText t;
    t.text = json_text(rng, api_json ? rng.log_range(1000, 8000) : rng.log_range(100, 5000), t.id_offset);
    json_.push_back(std::move(t));
  }
  for (int i = 0; i < 48; ++i) {
    PooledText t;
    t.text = html_text(rng, rng.log_range(2000, 16000), t.id_offset);
    html_.push_back(std::move(t));
  }
  for (int i = 0; i < 64; ++i) {
    Asset a;
    const std::size_t size = rng.log_range(2000, 40000);
    std::string text;
    std::size_t unused_offset = 0;
    switch (i % 4) {
      case 0:
        a.path = "/static/js/" + words(rng, 1, '-') + "." + rng.hex(8) + ".js";
        a.content_type = "application/javascript; charset=utf-8";
        text = script_text(rng, size);
        break;
      case 1:
        a.path = "/static/css/" + words(rng, 1, '-') + "." + rng.hex(8) + ".css";
        a.content_type = "text/css; charset=utf-8";
        text = style_text(rng, size);
        break;
      case 2:
        a.path = "/static/data/" + words(rng, 2, '-') + ".json";
        a.content_type = "application/json";
        text = json_text(rng, size, unused_offset);
        break;
      default:
        a.path = "/static/img/" + words(rng, 1, '-') + "-icons." + rng.hex(6) + ".svg";
        a.content_type = "image/svg+xml";
        text = svg_text(rng, size);
    }
    a.etag = "\"" + rng.hex(8) + "-" + rng.hex(12) + "\"";
    a.decoded_size = text.size();
    a.gzipped = gzip(text);
    assets_.push_back(std::move(a));
  }
  binary_.resize(512 * 1024);
  for (std::size_t i = 0; i < binary_.size(); i += 8) {
    const std::uint64_t v = rng.bits();
    for (std::size_t j = 0; j < 8; ++j) binary_[i + j] = static_cast<char>(v >> (8 * j));
  }
}

ExchangeKind HttpMessages::pick_kind(HostProfile profile) {
  if (api_json_) return ExchangeKind::json;
  const KindWeights& w = profile == HostProfile::api   ? kApiKinds
                         : profile == HostProfile::web ? kWebKinds
                                                       : kAssetKinds;
  return static_cast<ExchangeKind>(rng_.weighted(w));
}

std::string_view HttpMessages::fresh_body(const PooledText& body) {
  scratch_ = body.text;
  const std::string id = rng_.hex(kRequestIdDigits);
  scratch_.replace(body.id_offset, kRequestIdDigits, id);
  return scratch_;
}

std::string HttpMessages::api_path() {
  const std::string resource = kApiResources[rng_.index(std::size(kApiResources))];
  switch (rng_.index(4)) {
    case 0:
      return "/v1/" + resource + "/" + number(rng_.range(1000, 9999999));
    case 1:
      return "/v1/" + resource + "?limit=20&cursor=" + rng_.hex(12);
    case 2:
      return "/v2/" + resource + "/" + number(rng_.range(1000, 999999)) + "?expand=items,customer";
    default:
      return "/v1/search?q=" + words(rng_, rng_.range(1, 3), '+') + "&page=" + number(rng_.range(1, 9));
  }
}

std::string HttpMessages::page_path() {
  switch (rng_.index(4)) {
    case 0:
      return "/";
    case 1:
      return "/c/" + std::string(word(rng_));
    case 2:
      return "/p/" + words(rng_, 3, '-') + "-" + number(rng_.range(1000, 99999));
    default:
      return "/2024/03/" + words(rng_, 4, '-') + "?utm_source=" + std::string(word(rng_));
  }
}

void HttpMessages::start_request(const Host& host, const Client& client, std::string_view method, std::string_view path,
                                 std::string_view accept, HttpExchange& out) {
  std::string& r = out.request_head;
  r.clear();
  out.method = method;
  r.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host.name);
  if (host.port != 80) r += ":" + number(host.port);
  r.append("\r\nUser-Agent: ").append(client.user_agent);
  r.append("\r\nAccept: ").append(accept);
  r.append("\r\nAccept-Encoding: gzip, deflate\r\nAccept-Language: ").append(client.accept_language);
  if (host.profile == HostProfile::api) {
    r.append("\r\nAuthorization: Bearer ").append(client.bearer);
    r.append("\r\nX-Request-ID: ").append(rng_.hex(8)).append("-").append(rng_.hex(4)).append("-").append(rng_.hex(12));
  } else {
    r.append("\r\nReferer: http://www.shop.example/").append(word(rng_));
    r.append("\r\nCookie: ").append(client.cookie);
  }
  r.append("\r\nConnection: keep-alive\r\n");
}

void HttpMessages::start_response(const Host& host, int status, std::int64_t now_us, HttpExchange& out) {
  out.status = status;
  std::string& r = out.response_head;
  r.clear();
  r.append("HTTP/1.1 ").append(number(static_cast<std::uint64_t>(status))).append(" ").append(status_text(status));
  r.append("\r\nDate: ").append(http_date(now_us)).append("\r\nServer: ").append(host.server).append("\r\n");
}

void HttpMessages::end_response(const Host& host, HttpExchange& out) {
  std::string& r = out.response_head;
  if (host.profile == HostProfile::api) r.append("Access-Control-Allow-Origin: *\r\n");
  r.append("Connection: keep-alive\r\n");
  if (host.server.starts_with("Apache")) r.append("Keep-Alive: timeout=5, max=100\r\n");
  r.append("\r\n");
}

void HttpMessages::frame_chunked(std::string_view body, HttpExchange& out) {
  // Chunk sizes follow the server's writes, not the TCP segments.
  const std::size_t pieces = std::min<std::size_t>(rng_.range(3, 8), std::max<std::size_t>(body.size() / 64, 1));
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < pieces; ++i) cuts.push_back(rng_.index(body.size()));
  cuts.push_back(body.size());
  std::sort(cuts.begin(), cuts.end());
  char size_line[32];
  std::size_t from = 0;
  for (const std::size_t to : cuts) {
    if (to == from) continue;
    const int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", to - from);
    out.response_body.append(size_line, static_cast<std::size_t>(n));
    out.response_body.append(body.substr(from, to - from)).append("\r\n");
    if (rng_.chance(0.5))
      out.pauses.push_back(out.response_body.size() - rng_.index(std::min<std::size_t>(to - from, 200)));
    from = to;
  }
  out.response_body.append("0\r\n\r\n");
  out.chunked = true;
}

void HttpMessages::set_body(std::string_view body, std::string_view content_type, bool chunked, HttpExchange& out) {
  out.decoded_response_bytes = body.size();
  out.response_head.append("Content-Type: ").append(content_type).append("\r\n");
  if (chunked) {
    out.response_head.append("Transfer-Encoding: chunked\r\n");
    frame_chunked(body, out);
  } else {
    out.response_head.append("Content-Length: ").append(number(body.size())).append("\r\n");
    out.response_body.assign(body);
  }
}

void HttpMessages::next(const Host& host, const Client& client, std::int64_t now_us, bool aborted, HttpExchange& out) {
  out.kind = aborted ? ExchangeKind::aborted : pick_kind(host.profile);
  out.request_body.clear();
  out.response_head.clear();
  out.response_body.clear();
  out.pauses.clear();
  out.expect_continue = false;
  out.chunked = false;
  out.gzip = false;
  out.decoded_response_bytes = 0;
  const std::string json_accept = "application/json, text/plain, */*";
  const std::string html_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  const std::int64_t answered = now_us + host.rtt_us + host.think_us;

  switch (out.kind) {
    case ExchangeKind::json:
    case ExchangeKind::aborted: {
      const bool api = host.profile != HostProfile::web || out.kind == ExchangeKind::json;
      start_request(host, client, "GET", api ? api_path() : page_path(), api ? json_accept : html_accept, out);
      out.request_head.append("\r\n");
      if (out.kind == ExchangeKind::aborted) {
        out.status = 0;
        return;
      }
      start_response(host, 200, answered, out);
      out.response_head.append("Cache-Control: no-cache, private\r\nX-Request-Id: ")
          .append(rng_.hex(16))
          .append("\r\n");
      set_body(fresh_body(json_[rng_.index(json_.size())]), "application/json; charset=utf-8", false, out);
      break;
    }
    case ExchangeKind::html: {
      start_request(host, client, "GET", page_path(), html_accept, out);
      out.request_head.append("Upgrade-Insecure-Requests: 1\r\n\r\n");
      start_response(host, 200, answered, out);
      out.response_head.append("Cache-Control: max-age=0, must-revalidate\r\nVary: Accept-Encoding\r\n");
      if (rng_.chance(0.3))
        out.response_head.append("Set-Cookie: visit=")
            .append(rng_.hex(20))
            .append("; Path=/; HttpOnly; SameSite=Lax\r\n");
      set_body(fresh_body(html_[rng_.index(html_.size())]), "text/html; charset=utf-8", false, out);
      break;
    }
    case ExchangeKind::chunked: {
      const bool api = host.profile == HostProfile::api;
      start_request(host, client, "GET", api ? api_path() : page_path(), api ? json_accept : html_accept, out);
      out.request_head.append("\r\n");
      start_response(host, 200, answered, out);
      out.response_head.append("Cache-Control: no-store\r\n");
      const PooledText& body = api ? json_[rng_.index(json_.size())] : html_[rng_.index(html_.size())];
      set_body(fresh_body(body), api ? "application/json" : "text/html; charset=UTF-8", true, out);
      break;
    }
    case ExchangeKind::gzip: {
      const Asset& a = assets_[rng_.index(assets_.size())];
      start_request(host, client, "GET", a.path, "*/*", out);
      out.request_head.append("\r\n");
      start_response(host, 200, answered, out);
      out.response_head.append("Cache-Control: public, max-age=31536000, immutable\r\nETag: ")
          .append(a.etag)
          .append(
              "\r\nLast-Modified: Tue, 05 Mar 2024 09:12:44 GMT\r\nVary: Accept-Encoding\r\nContent-Encoding: "
              "gzip\r\n");
      set_body(a.gzipped, a.content_type, rng_.chance(0.4), out);
      out.gzip = true;
      out.decoded_response_bytes = a.decoded_size;
      break;
    }
    case ExchangeKind::not_modified: {
      const Asset& a = assets_[rng_.index(assets_.size())];
      start_request(host, client, "GET", host.profile == HostProfile::api ? api_path() : a.path, "*/*", out);
      out.request_head.append("If-None-Match: ").append(a.etag);
      out.request_head.append("\r\nIf-Modified-Since: Tue, 05 Mar 2024 09:12:44 GMT\r\n\r\n");
      start_response(host, 304, answered, out);
      out.response_head.append("ETag: ").append(a.etag).append("\r\nCache-Control: public, max-age=3600\r\n");
      // Some servers repeat the full length in a 304; it still has no body.
      if (rng_.chance(0.15))
        out.response_head.append("Content-Length: ").append(number(a.gzipped.size())).append("\r\n");
      break;
    }
    case ExchangeKind::post:
    case ExchangeKind::post_continue: {
      const bool expect = out.kind == ExchangeKind::post_continue;
      const std::string path = host.profile == HostProfile::api
                                   ? "/v1/" + std::string(kApiResources[rng_.index(std::size(kApiResources))])
                                   : "/api/track";
      start_request(host, client, "POST", path, json_accept, out);
      // Request bodies: small JSON documents; with Expect, larger ones.
      const PooledText* body = &json_[rng_.index(json_.size())];
      while ((body->text.size() > 4000) != expect) body = &json_[rng_.index(json_.size())];
      out.request_body = fresh_body(*body);
      out.request_head.append("Content-Type: application/json\r\nContent-Length: ")
          .append(number(out.request_body.size()))
          .append("\r\nOrigin: http://www.shop.example\r\n");
      if (expect) out.request_head.append("Expect: 100-continue\r\n");
      out.request_head.append("\r\n");
      out.expect_continue = expect;
      const bool created = rng_.chance(0.6);
      start_response(host, created ? 201 : 200, answered, out);
      if (created)
        out.response_head.append("Location: ")
            .append(path)
            .append("/")
            .append(number(rng_.range(1000, 9999999)))
            .append("\r\n");
      const PooledText* reply = &json_[rng_.index(json_.size())];
      while (reply->text.size() > 600) reply = &json_[rng_.index(json_.size())];
      set_body(fresh_body(*reply), "application/json; charset=utf-8", false, out);
      break;
    }
    case ExchangeKind::del: {
      start_request(host, client, "DELETE",
                    "/v1/carts/" + number(rng_.range(1000, 999999)) + "/items/" + number(rng_.range(1, 99)),
                    json_accept, out);
      out.request_head.append("\r\n");
      start_response(host, 204, answered, out);
      break;
    }
    case ExchangeKind::not_found: {
      const bool api = host.profile == HostProfile::api;
      start_request(host, client, "GET", api ? api_path() : "/favicon-" + rng_.hex(4) + ".ico",
                    api ? json_accept : "*/*", out);
      out.request_head.append("\r\n");
      start_response(host, 404, answered, out);
      out.response_head.append("Cache-Control: no-cache\r\n");
      const std::string body =
          api ? "{\"error\":\"not_found\",\"message\":\"No " + std::string(word(rng_)) +
                    " with that id\",\"request_id\":\"" + rng_.hex(16) + "\"}"
              : "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not "
                "Found</h1></center>\r\n<hr><center>" +
                    host.server + "</center>\r\n</body>\r\n</html>\r\n";
      set_body(body, api ? "application/json" : "text/html", false, out);
      break;
    }
    case ExchangeKind::large: {
      const bool image = rng_.chance(0.7);  // WebP images or zip downloads: opaque bytes
      start_request(host, client, "GET",
                    image ? "/media/" + rng_.hex(10) + "/" + std::string(word(rng_)) + ".webp"
                          : "/downloads/" + std::string(word(rng_)) + "-" + number(rng_.range(1, 9)) + ".zip",
                    image ? "image/avif,image/webp,image/apng,image/*,*/*;q=0.8" : "*/*", out);
      out.request_head.append("\r\n");
      start_response(host, 200, answered, out);
      out.response_head.append("Cache-Control: public, max-age=86400\r\nAccept-Ranges: bytes\r\nETag: \"")
          .append(rng_.hex(16))
          .append("\"\r\n");
      const std::size_t size = rng_.log_range(20000, 250000);
      std::string_view bytes(binary_);
      bytes = bytes.substr(rng_.index(binary_.size() - size), size);
      scratch_.assign(bytes);
      if (image) {
        scratch_.replace(0, 16, "RIFF\0\0\0\0WEBPVP8 ", 16);
        const auto riff_size = static_cast<std::uint32_t>(size - 8);
        for (int i = 0; i < 4; ++i) scratch_[4 + i] = static_cast<char>(riff_size >> (8 * i));
      } else {
        scratch_.replace(0, 4, "PK\x03\x04");
      }
      set_body(scratch_, image ? "image/webp" : "application/zip", false, out);
      break;
    }
  }
  end_response(host, out);
}

}  // namespace bench::pcap_workload
