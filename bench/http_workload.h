// What the workload generators share about HTTP traffic: status texts,
// dates, and for the two that generate trafficdb::Exchange rows
// (writer_workload.h, query_workload.h) the header values of browser and
// app traffic, API query strings, and the request and response headers
// every such exchange starts with. All randomness comes from the caller's
// WorkloadRandom, drawn in the order the generators always drew it (so
// their rows did not change when these pieces were shared).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "model/exchange.h"
#include "workload_random.h"

namespace bench {

// "Not Found" for 404; "" for a status no generator writes.
std::string status_text(int status);

// "Mon, 11 Mar 2024 10:42:03 GMT" (RFC 9110 IMF-fixdate) for a time in
// microseconds since the Unix epoch.
std::string http_date(std::int64_t unix_micros);

// Header values of browsers, apps and web servers.
inline constexpr const char* kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "okhttp/4.12.0",
    "ShopApp/5.3.1 (iPhone; iOS 17.2; Scale/3.00)"};
inline constexpr const char* kLanguages[] = {"en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9",
                                            "en-GB"};
inline constexpr const char* kServers[] = {"nginx/1.24.0", "cloudflare", "envoy", "Apache/2.4.58 (Debian)",
                                          "gunicorn"};

// The query string of an API listing ("page=3&limit=50", "q=alpha+echo&lang=en",
// ...) for exchange `index`, with words from `words`.
std::string api_query_string(WorkloadRandom& rng, std::uint64_t index, std::span<const char* const> words);

// rq.url from its scheme, host, path and query.
void set_url(trafficdb::Request& rq);

// The headers a request starts with: Host, User-Agent, Accept (`accept`),
// Accept-Encoding, Accept-Language, X-Request-Id, and for a body
// Content-Type (`body_type`) and Content-Length.
trafficdb::Headers request_headers_start(WorkloadRandom& rng, const trafficdb::Request& rq, std::string_view accept,
                                         std::string_view request_id, std::string_view body_type);

// Adds randomly chosen optional headers to `hs` until it has `want`: the
// choices are add(0) .. add(choices - 1), tried in turn from a random one.
template <typename Add>
void add_optional_headers(WorkloadRandom& rng, trafficdb::Headers& hs, std::size_t want, std::size_t choices, Add add) {
  const std::size_t offset = rng.index(choices);
  for (std::size_t k = 0; k < choices && hs.size() < want; ++k) add((offset + k) % choices);
}

// The response headers of `rs`: Date (`started`), Server, Content-Length
// (the wire size), X-Request-Id, Content-Type (`content_type` unless empty),
// Content-Encoding, Location (unless empty), then optional ones (caching,
// cookies, CORS, rate limits, proxies: the first `optional_choices` of nine)
// up to 6-10 headers in all.
trafficdb::Headers response_headers(WorkloadRandom& rng, const trafficdb::Response& rs, std::string_view content_type,
                                    std::string_view location, std::string_view request_id, std::int64_t started,
                                    std::size_t optional_choices);

}  // namespace bench
