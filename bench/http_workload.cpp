// HTTP pieces the workload generators share; see http_workload.h.

#include "http_workload.h"

#include <ctime>

namespace bench {

using trafficdb::Headers;

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
    case 409: return "Conflict";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string http_date(std::int64_t unix_micros) {
  const std::time_t seconds = static_cast<std::time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

std::string api_query_string(WorkloadRandom& rng, std::uint64_t index, std::span<const char* const> words) {
  const auto word = [&] { return words[rng.index(words.size())]; };
  switch (rng.index(5)) {
    case 0: return "page=" + std::to_string(rng.range(1, 40)) + "&limit=" + std::to_string(rng.range(1, 4) * 25);
    case 1: return "q=" + std::string(word()) + "+" + word() + "&lang=en";
    case 2: return "sort=created_at&order=desc&page=" + std::to_string(rng.range(1, 9));
    case 3: return "fields=id,name,price,updated_at&include=variants,images";
    default: return "since=" + std::to_string(1736848800 + index) + "&cursor=" + rng.hex(24);
  }
}

void set_url(trafficdb::Request& rq) {
  rq.url = rq.scheme + "://" + rq.host + rq.path;
  if (rq.query) rq.url += "?" + *rq.query;
}

Headers request_headers_start(WorkloadRandom& rng, const trafficdb::Request& rq, std::string_view accept,
                              std::string_view request_id, std::string_view body_type) {
  Headers hs;
  hs.reserve(12);
  hs.push_back({"Host", rq.host});
  hs.push_back({"User-Agent", rng.one_of(kUserAgents)});
  hs.push_back({"Accept", std::string(accept)});
  hs.push_back({"Accept-Encoding", "gzip, deflate, br"});
  hs.push_back({"Accept-Language", rng.one_of(kLanguages)});
  hs.push_back({"X-Request-Id", std::string(request_id)});
  if (!rq.body.data.empty()) {
    hs.push_back({"Content-Type", std::string(body_type)});
    hs.push_back({"Content-Length", std::to_string(rq.body.data.size())});
  }
  return hs;
}

Headers response_headers(WorkloadRandom& rng, const trafficdb::Response& rs, std::string_view content_type,
                         std::string_view location, std::string_view request_id, std::int64_t started,
                         std::size_t optional_choices) {
  Headers hs;
  hs.reserve(12);
  hs.push_back({"Date", http_date(started)});
  hs.push_back({"Server", rng.one_of(kServers)});
  hs.push_back({"Content-Length", std::to_string(rs.body.wire_size.value_or(0))});
  hs.push_back({"X-Request-Id", std::string(request_id)});
  if (!content_type.empty()) hs.push_back({"Content-Type", std::string(content_type)});
  if (!rs.body.encoding.empty()) hs.push_back({"Content-Encoding", rs.body.encoding});
  if (!location.empty()) hs.push_back({"Location", std::string(location)});
  const std::size_t want = static_cast<std::size_t>(rng.range(6, 10));
  add_optional_headers(rng, hs, want, optional_choices, [&](std::size_t choice) {
    switch (choice) {
      case 0: hs.push_back({"Cache-Control", rng.index(2) ? "private, max-age=0, no-store" : "public, max-age=3600"}); break;
      case 1: hs.push_back({"ETag", "W/\"" + rng.hex(16) + "\""}); break;
      case 2: hs.push_back({"Vary", "Accept-Encoding, Origin"}); break;
      case 3: hs.push_back({"Strict-Transport-Security", "max-age=31536000; includeSubDomains"}); break;
      case 4: hs.push_back({"Set-Cookie", "sid=" + rng.hex(32) + "; Path=/; Secure; HttpOnly; SameSite=Lax"}); break;
      case 5: hs.push_back({"Access-Control-Allow-Origin", "*"}); break;
      case 6: hs.push_back({"X-RateLimit-Remaining", std::to_string(rng.range(0, 5000))}); break;
      case 7: hs.push_back({"Via", "1.1 varnish"}); break;
      default: hs.push_back({"Alt-Svc", "h3=\":443\"; ma=86400"}); break;
    }
  });
  return hs;
}

}  // namespace bench
