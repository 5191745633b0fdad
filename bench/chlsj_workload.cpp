// The Charles workload's transactions; see chlsj_workload.h.

#include "chlsj_workload.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "charles_json.h"
#include "chlsj_bodies.h"
#include "chlsj_vocabulary.h"
#include "http_workload.h"
#include "workload_random.h"

namespace bench::chlsj_workload {
namespace {

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  // Appends transaction `index` to `out` (a JSON object, no separator).
  void transaction(std::uint64_t index, std::string& out, GenStats& stats) {
    // Transactions start about every 3 ms, in order, as in an export.
    clock_ += static_cast<Millis>(rng_.range(0, 6));
    const Millis start = clock_;
    const std::uint64_t r = rng_.index(1000);
    if (r < 20) {
      tunnel(start, out);
      ++stats.tunnels;
    } else {
      http(index, start, r < 25, out, stats);
    }
    ++stats.transactions;
  }

 private:
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
    j.num("clientPort", static_cast<std::int64_t>(rng_.range(49152, 65535)));
  }

  void tunnel(Millis start, std::string& out) {
    const Host& host = rng_.one_of(kHosts);
    JsonOut j(out);
    j.open_object();
    common_head(j, "COMPLETE", "CONNECT", "HTTP/1.1", "https", host, 443);
    j.null("path");
    j.null("query");
    connection_fields(j, host, true, false);
    const std::int64_t dns = static_cast<std::int64_t>(rng_.range(1, 40)), connect = static_cast<std::int64_t>(rng_.range(20, 80)),
                       ssl = static_cast<std::int64_t>(rng_.range(30, 150));
    const Millis end = start + static_cast<Millis>(rng_.range(5000, 60000));
    times_and_durations(j, start, std::nullopt, std::nullopt, std::nullopt, end, dns, connect, ssl);

    BodyOut rq, rs;
    rq.form = rs.form = BodyOut::Form::base64;
    rq.payload = tls_records(rng_, static_cast<std::size_t>(rng_.range(800, 3500)));
    rs.payload = tls_records(rng_, static_cast<std::size_t>(rng_.range(1000, 4500)));
    // Charles counts what crossed the tunnel; the captured part may be less.
    rq.wire_size = static_cast<std::int64_t>(rq.payload.size()) + (rng_.percent(50) ? static_cast<std::int64_t>(rng_.range(0, 20000)) : 0);
    rs.wire_size = static_cast<std::int64_t>(rs.payload.size()) + (rng_.percent(50) ? static_cast<std::int64_t>(rng_.range(0, 150000)) : 0);
    const std::int64_t rq_hs = static_cast<std::int64_t>(rng_.range(2200, 2600)), rs_hs = 543;
    const std::int64_t total = rq.wire_size + rs.wire_size + rq_hs + rs_hs;
    const bool strings = rng_.percent(20);
    speeds_and_total(j, total, 0, 0, end - start, std::nullopt, std::nullopt, strings);
    j.open_object("ssl");
    j.str("protocol", "TLSv1.2");
    j.str("cipherSuite", rng_.one_of(kCiphers12));
    j.close_object();
    j.open_object("alpn");
    j.str("protocol", "http/1.1");
    j.close_object();
    j.str("notes", rng_.one_of(kTunnelNotes));

    const std::string authority = std::string(host.name) + ":443";
    const HeaderList rq_headers = {{"Host", authority},
                                   {"Proxy-Connection", "keep-alive"},
                                   {"User-Agent", rng_.one_of(kUserAgents)}};
    write_message(j, "request", std::nullopt, rq_hs, 0, rq, "CONNECT " + authority + " HTTP/1.1", rq_headers);
    write_message(j, "response", 200, rs_hs, 0, rs, std::string("HTTP/1.1 200 Connection established"), {});
    j.close_object();
  }

  std::string path_for(const Host& host, const std::string& method, std::optional<std::string>& query) {
    const std::string id = std::to_string(rng_.range(1, 9999999));
    switch (host.kind) {
      case HostKind::cdn: {
        const std::uint64_t r = rng_.index(100);
        if (r < 60) return "/img/" + rng_.hex(2) + "/" + rng_.hex(16) + (rng_.percent(50) ? ".png" : "@2x.png");
        if (r < 85) return "/assets/js/chunk-" + rng_.hex(8) + ".js";
        return "/assets/css/app." + rng_.hex(8) + ".css";
      }
      case HostKind::web:
        if (rng_.percent(30)) query = "utm_source=" + std::string(rng_.one_of(kWords)) + "&utm_medium=app";
        return rng_.percent(30) ? "/" : "/" + std::string(rng_.one_of(kResources)) + "/" + id;
      case HostKind::telemetry:
        if (rng_.percent(50)) query = "v=2&sid=" + rng_.hex(16);
        return rng_.percent(50) ? "/v1/collect" : "/api/track/batch";
      case HostKind::auth:
        return method == "POST" ? (rng_.percent(50) ? "/oauth/token" : "/api/v1/login") : "/api/v1/session";
      case HostKind::api:
        break;
    }
    const std::string api = rng_.percent(50) ? "/api/v1/" : "/v2/";
    const std::string resource = rng_.one_of(kResources);
    if (method != "GET") return rng_.percent(60) ? api + resource : api + resource + "/" + id;
    switch (rng_.index(5)) {
      case 0: query = "page=" + std::to_string(rng_.range(1, 40)) + "&size=" + std::to_string(rng_.range(1, 4) * 25); break;
      case 1:
        query = "q=" + std::string(rng_.one_of(kWords)) + "+" + rng_.one_of(kWords) + "&lang=en&ts=" +
                std::to_string(rng_.range(1710000000, 1719999999));
        break;
      case 2: query = "fields=id,name,price,updatedAt&include=variants"; break;
      default: break;  // no query
    }
    return rng_.percent(50) ? api + resource + "/" + id : api + resource;
  }

  int pick_status(const Host& host, const std::string& method) {
    const std::uint64_t r = rng_.index(100);
    if (host.kind == HostKind::telemetry) return r < 70 ? 204 : 200;
    if (method == "GET")
      return r < 76 ? 200 : r < 84 ? 304 : r < 87 ? 302 : r < 88 ? 301 : r < 92 ? 404 : r < 95 ? 401 : r < 96 ? 403
             : r < 98 ? 500 : r < 99 ? 502 : 503;
    if (method == "POST") return r < 62 ? 200 : r < 85 ? 201 : r < 92 ? 400 : r < 95 ? 401 : 500;
    if (method == "PUT") return r < 70 ? 200 : r < 90 ? 204 : 400;
    return r < 80 ? 204 : 404;
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
    add("User-Agent", rng_.one_of(kUserAgents));
    add("Accept", body.form != BodyOut::Form::none || host.kind == HostKind::api ? "application/json, text/plain, */*"
                                                                                 : "*/*");
    if (body.form != BodyOut::Form::none) {
      add("Content-Type", *body.mime_type + "; charset=utf-8");
      add("Content-Length", std::to_string(body.payload.size()));
    }
    const std::size_t want = static_cast<std::size_t>(rng_.range(6, 12));
    constexpr std::size_t optional_count = 9;
    const std::size_t offset = static_cast<std::size_t>(rng_.index(optional_count));
    for (std::size_t k = 0; k < optional_count && hs.size() < want; ++k) {
      switch ((offset + k) % optional_count) {
        case 0: add("Accept-Encoding", "gzip, deflate, br"); break;
        case 1: add("Accept-Language", rng_.one_of(kLanguages)); break;
        case 2: add("Authorization", "Bearer " + rng_.hex(40)); break;
        case 3:
          add("Cookie", "sid=" + rng_.hex(32) + "; theme=dark; _ga=GA1.2." + std::to_string(rng_.range(100000000, 999999999)) +
                            "." + std::to_string(rng_.range(1700000000, 1710000000)));
          break;
        case 4: add("Referer", "https://www.shopfront.example/" + std::string(rng_.one_of(kResources))); break;
        case 5: add("X-Request-Id", rng_.uuid()); break;
        case 6: add("X-App-Version", "5.3." + std::to_string(rng_.range(0, 9))); break;
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
    add("Server", rng_.one_of(kServers));
    if (body.mime_type)
      add("Content-Type", *body.mime_type + (body.charset ? "; charset=" + *body.charset : std::string()));
    add("Content-Length", std::to_string(body.wire_size));
    if (body.content_encoding) add("Content-Encoding", *body.content_encoding);
    if (status == 301 || status == 302) add("Location", "https://www.shopfront.example/" + rng_.hex(8));
    const std::size_t want = static_cast<std::size_t>(rng_.range(6, 12));
    constexpr std::size_t optional_count = 10;
    const std::size_t offset = static_cast<std::size_t>(rng_.index(optional_count));
    for (std::size_t k = 0; k < optional_count && hs.size() < want; ++k) {
      switch ((offset + k) % optional_count) {
        case 0: add("Cache-Control", rng_.percent(50) ? "private, max-age=0, no-store" : "public, max-age=31536000"); break;
        case 1: add("ETag", "W/\"" + rng_.hex(16) + "\""); break;
        case 2: add("Vary", "Accept-Encoding, Origin"); break;
        case 3: add("Strict-Transport-Security", "max-age=31536000; includeSubDomains"); break;
        case 4: add("Set-Cookie", "sid=" + rng_.hex(32) + "; Path=/; Secure; HttpOnly; SameSite=Lax"); break;
        case 5: add("Access-Control-Allow-Origin", "*"); break;
        case 6: add("X-Request-Id", rng_.uuid()); break;
        case 7: add("X-Cache", rng_.percent(50) ? "HIT" : "MISS"); break;
        case 8: add("Alt-Svc", "h3=\":443\"; ma=86400"); break;
        default:
          if (!http2) add("Connection", "keep-alive");
          else add("X-Envoy-Upstream-Service-Time", std::to_string(rng_.range(1, 300)));
          break;
      }
    }
    return hs;
  }

  void http(std::uint64_t index, Millis start, bool exception, std::string& out, GenStats& stats) {
    const Host& host = rng_.one_of(kHosts);
    const std::uint64_t m = rng_.index(100);
    std::string method = "GET";
    if (host.kind == HostKind::telemetry) method = m < 50 ? "POST" : "GET";  // batches, or pixel GETs
    else if (host.kind == HostKind::auth) method = m < 70 ? "POST" : "GET";
    else if (host.kind == HostKind::api) method = m < 77 ? "GET" : m < 94 ? "POST" : m < 97 ? "PUT" : "DELETE";
    const bool https = host.kind != HostKind::web || rng_.percent(70);
    const bool http2 = https && host.kind != HostKind::telemetry && rng_.percent(35);
    if (http2) ++stats.http2;
    const char* scheme = https ? "https" : "http";
    const int port = https ? 443 : 80;
    std::optional<std::string> query;
    const std::string path = path_for(host, method, query);
    const std::string target = path + (query ? "?" + *query : "");
    const char* protocol = http2 ? "HTTP/2" : "HTTP/1.1";
    const bool kept_alive = rng_.percent(70);

    BodyOut rq;
    if (method == "POST" || method == "PUT") {
      rq = request_body(rng_, host, index);
      ++stats.request_bodies;
    }
    const HeaderList rq_headers = request_headers(host, method, target, http2, rq);
    const std::string rq_first = method + " " + target + " " + protocol;
    const std::int64_t rq_header_bytes = headers_size(rq_first, rq_headers);

    // Connection set-up: none on a kept-alive connection (-1 or null, as Charles writes).
    std::optional<std::int64_t> dns, connect, ssl;
    if (kept_alive) {
      if (rng_.percent(80)) dns = connect = -1;
      if (https && rng_.percent(80)) ssl = -1;
    } else {
      dns = static_cast<std::int64_t>(rng_.range(0, 60));
      connect = static_cast<std::int64_t>(rng_.range(5, 120));
      if (https) ssl = static_cast<std::int64_t>(rng_.range(20, 250));
    }
    const Millis setup = (dns && *dns > 0 ? *dns : 0) + (connect && *connect > 0 ? *connect : 0) +
                         (ssl && *ssl > 0 ? *ssl : 0);
    const Millis request_begin = start + setup;
    const Millis request_complete = request_begin + static_cast<Millis>(rng_.range(0, rq.form != BodyOut::Form::none ? 30 : 3));

    JsonOut j(out);
    j.open_object();
    common_head(j, exception ? "EXCEPTION" : "COMPLETE", method.c_str(), protocol, scheme, host, port);
    j.str("path", path);
    if (query) j.str("query", *query);
    else j.null("query");
    connection_fields(j, host, false, kept_alive);
    const bool strings = rng_.percent(20);
    if (strings) ++stats.string_numbers;

    if (exception) {
      ++stats.exceptions;
      const Millis end = request_complete + static_cast<Millis>(rng_.range(10, 30000));
      times_and_durations(j, start, request_begin, request_complete, std::nullopt, end, dns, connect, ssl);
      speeds_and_total(j, rq_header_bytes + rq.wire_size, rq_header_bytes + rq.wire_size, 0, end - start,
                       request_complete - request_begin, std::nullopt, strings);
      tls_fields(j, https, http2);
      j.str("errorMessage", rng_.one_of(kErrors));
      write_message(j, "request", std::nullopt, std::nullopt, rq_header_bytes, rq, rq_first, rq_headers);
      if (rng_.percent(50)) j.null("response");  // else no response key at all
      j.close_object();
      return;
    }

    const int status = pick_status(host, method);
    const BodyOut rs = response_body(rng_, host, status, path, stats);
    const HeaderList rs_headers = response_headers(status, http2, start, rs);
    // HTTP/2 responses have no status line.
    const std::optional<std::string> rs_first =
        http2 ? std::nullopt : std::optional<std::string>("HTTP/1.1 " + std::to_string(status) + " " + status_text(status));
    const std::int64_t rs_header_bytes = headers_size(rs_first, rs_headers);
    const Millis response_begin = request_complete + static_cast<Millis>(rng_.range(3, 400));
    const Millis end = response_begin + static_cast<Millis>(rng_.range(0, rs.wire_size > 4000 ? 80 : 15));
    times_and_durations(j, start, request_begin, request_complete, response_begin, end, dns, connect, ssl);
    const std::int64_t rq_bytes = rq_header_bytes + rq.wire_size, rs_bytes = rs_header_bytes + rs.wire_size;
    speeds_and_total(j, rq_bytes + rs_bytes, rq_bytes, rs_bytes, end - start, request_complete - request_begin,
                     end - response_begin, strings);
    tls_fields(j, https, http2);
    write_message(j, "request", std::nullopt, std::nullopt, rq_header_bytes, rq, rq_first, rq_headers);
    write_message(j, "response", status, std::nullopt, rs_header_bytes, rs, rs_first, rs_headers);
    j.close_object();
  }

  void tls_fields(JsonOut& j, bool https, bool http2) {
    if (!https) {
      j.null("ssl");
      j.null("alpn");
      return;
    }
    const bool tls13 = http2 || rng_.percent(60);
    j.open_object("ssl");
    j.str("protocol", tls13 ? "TLSv1.3" : "TLSv1.2");
    j.str("cipherSuite", tls13 ? rng_.one_of(kCiphers13) : rng_.one_of(kCiphers12));
    j.close_object();
    j.open_object("alpn");
    j.str("protocol", http2 ? "h2" : "http/1.1");
    j.close_object();
  }

  WorkloadRandom rng_;
  Millis clock_ = kEpoch;
};

}  // namespace

GenStats generate_chlsj(const std::string& path, std::uint64_t count, std::uint64_t seed) {
  GenStats stats;
  const auto t0 = std::chrono::steady_clock::now();
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
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace bench::chlsj_workload
