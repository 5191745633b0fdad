// query_bench: latency of the query layer on a large store.
//
// 1. Builds a store of N exchanges (default 1,000,000) through the Writer --
//    realistic traffic: ~50 hosts with a Zipf-like skew, API paths with
//    numeric ids and UUIDs, static assets, HTML pages, telemetry; methods,
//    statuses including 4xx/5xx, ~1% failed exchanges without a response,
//    unique JSON response bodies with varied words (some rare words, so body
//    search has hits and misses), timings spread over 24 hours, 4 sessions --
//    then runs index_search_batch until the trigram indexes are complete.
//    Or reuses an existing store (--db PATH --reuse).
// 2. Opens it read-only with open_query_database and times typical queries
//    (find_exchanges with a dozen filters, cursor pages, detail, stats, body
//    search, count), each repeated with random parameters from a fixed seed
//    but a fixed shape, and reports p50 / p99 against the targets: filters
//    and cursor pages under 10 ms p99, detail under 5 ms, body search under
//    100 ms; stats and count are reported without a target.
//
// Prints a table, the database size and rows, and a JSON line
// ({"bench":"query",...}) for scripts. See bench/README.md.

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
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
#include "query/exchange_detail.h"
#include "query/exchange_filter.h"
#include "query/exchange_page.h"
#include "query/query_database.h"
#include "query/traffic_stats.h"
#include "model/exchange.h"
#include "store/database.h"
#include "store/headers_json.h"
#include "store/search_index.h"
#include "store/sessions.h"
#include "store/writer.h"

using namespace bench;  // bench_support.h

namespace {

using trafficdb::Exchange;
using trafficdb::Headers;
using trafficdb::Micros;
using Clock = std::chrono::steady_clock;

constexpr double kFilterTargetMs = 10;  // every filter and cursor page, p99
constexpr double kDetailTargetMs = 5;
constexpr double kBodySearchTargetMs = 100;
constexpr std::int64_t kCountCap = 100000;  // what `trafficdb query --count` uses
constexpr std::size_t kIndexBatchRows = 20000;

// ---------------------------------------------------------------- options

struct Options {
  std::uint64_t count = 1000000;
  std::string db_path;  // "" = temporary file, deleted afterwards unless --keep
  bool reuse = false;
  bool keep = false;
  std::uint64_t body_bytes = 700;
  std::uint64_t seed = 1;
  std::uint64_t runs = 200;       // runs of a fast query
  std::uint64_t slow_runs = 20;   // runs of a slow one
  double slow_ms = 20;            // warm-up median above this: slow
  std::string only;               // run only queries whose name contains this
  bool newest_first = false;      // filter pages newest first
};

void print_usage(std::ostream& out) {
  out << "usage: query_bench [options]\n"
         "\n"
         "Builds a store of N realistic exchanges through trafficdb's Writer (or reuses one),\n"
         "completes its search indexes, then times typical queries of the query layer and\n"
         "reports p50/p99 latency against the targets (filters and cursor pages < 10 ms p99,\n"
         "detail < 5 ms, body search < 100 ms; stats and count are reported only).\n"
         "\n"
         "options:\n"
         "  --count N         exchanges to generate (default 1000000)\n"
         "  --db PATH         database file. Without --reuse it must not exist; it is built\n"
         "                    and kept. Default: a temporary file in $TMPDIR or /tmp, deleted\n"
         "                    afterwards (unless --keep).\n"
         "  --reuse           with --db: use PATH as it is when it exists (--count, --seed and\n"
         "                    --body-bytes then do not matter for it); build it there otherwise\n"
         "  --keep            keep the temporary database (its path is printed)\n"
         "  --body-bytes B    average size of the unique JSON response bodies (default 700)\n"
         "  --seed S          PRNG seed for the data and the query parameters (default 1)\n"
         "  --runs N          runs of a fast query (default 200)\n"
         "  --slow-runs N     runs of a slow query (default 20)\n"
         "  --slow-ms MS      a query whose warm-up median exceeds this is slow (default 20)\n"
         "  --only TEXT       run only the queries whose name contains TEXT\n"
         "  --newest-first    filter pages newest first (trafficdb query --latest);\n"
         "                    default oldest first, as `trafficdb query` pages by default\n"
         "  --help            show this help\n";
}



std::optional<int> parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_usage(std::cout);
      return 0;
    }
    if (arg == "--reuse") {
      o.reuse = true;
      continue;
    }
    if (arg == "--keep") {
      o.keep = true;
      continue;
    }
    if (arg == "--newest-first") {
      o.newest_first = true;
      continue;
    }
    auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view(argv[++i]);
    };
    auto number = [&](std::uint64_t& out, std::uint64_t min) -> bool {
      const auto v = value();
      if (!v || !parse_u64(*v, out) || out < min) {
        std::cerr << "query_bench: " << arg << " needs an integer >= " << min << "\n";
        return false;
      }
      return true;
    };
    bool ok = true;
    if (arg == "--count") ok = number(o.count, 1);
    else if (arg == "--body-bytes") ok = number(o.body_bytes, 16);
    else if (arg == "--seed") ok = number(o.seed, 0);
    else if (arg == "--runs") ok = number(o.runs, 1);
    else if (arg == "--slow-runs") ok = number(o.slow_runs, 1);
    else if (arg == "--slow-ms") {
      std::uint64_t ms = 0;
      ok = number(ms, 0);
      o.slow_ms = static_cast<double>(ms);
    } else if (arg == "--db" || arg == "--only") {
      const auto v = value();
      ok = v && !v->empty();
      if (ok) (arg == "--db" ? o.db_path : o.only) = std::string(*v);
      else std::cerr << "query_bench: " << arg << " needs a value\n";
    } else {
      std::cerr << "query_bench: unknown option " << arg << "\n";
      ok = false;
    }
    if (!ok) {
      print_usage(std::cerr);
      return 2;
    }
  }
  if (o.reuse && o.db_path.empty()) {
    std::cerr << "query_bench: --reuse needs --db PATH\n";
    return 2;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- generator

enum class HostKind { api, graphql, web, assets, telemetry };

struct HostDef {
  const char* name;
  HostKind kind;
};

// In rank order: the k-th host gets weight 1/(k+1)^kZipfExponent (the first
// about 24% of the traffic, the last about 0.4%).
const HostDef kHosts[] = {
    {"api.example.com", HostKind::api},           {"telemetry.example.io", HostKind::telemetry},
    {"cdn.example.com", HostKind::assets},        {"www.example.com", HostKind::web},
    {"api.shopfront.example", HostKind::api},     {"graphql.example.com", HostKind::graphql},
    {"images.example-cdn.net", HostKind::assets}, {"auth.example.com", HostKind::api},
    {"events.example.io", HostKind::telemetry},   {"static.example.net", HostKind::assets},
    {"payments.example.com", HostKind::api},      {"search.example.com", HostKind::api},
    {"cdn.shopfront.example", HostKind::assets},  {"www.shopfront.example", HostKind::web},
    {"accounts.example.com", HostKind::api},      {"checkout.shopfront.example", HostKind::api},
    {"metrics.example.io", HostKind::telemetry},  {"fonts.example-cdn.net", HostKind::assets},
    {"api.example.io", HostKind::api},            {"maps.example.com", HostKind::api},
    {"chat.example.com", HostKind::api},          {"pixel.example-ads.com", HostKind::telemetry},
    {"www.example.org", HostKind::web},           {"api.example.org", HostKind::api},
    {"edge.example.net", HostKind::assets},       {"upload.example.com", HostKind::api},
    {"js.example-cdn.net", HostKind::assets},     {"login.example.id", HostKind::api},
    {"api.weather.example", HostKind::api},       {"feeds.example.news", HostKind::api},
    {"tracker.example-ads.com", HostKind::telemetry}, {"files.example.net", HostKind::assets},
    {"status.example.com", HostKind::web},        {"docs.example.com", HostKind::web},
    {"api.example.app", HostKind::api},           {"push.example.app", HostKind::api},
    {"cdn.example.app", HostKind::assets},        {"chat.example.chat", HostKind::api},
    {"upload.example.net", HostKind::api},        {"video.example.net", HostKind::assets},
    {"images.example.com", HostKind::assets},     {"admin.example.com", HostKind::web},
    {"wiki.example.org", HostKind::web},          {"sso.example.id", HostKind::api},
    {"api.partner.example", HostKind::api},       {"hooks.partner.example", HostKind::api},
    {"files.example.dev", HostKind::assets},      {"api.example.dev", HostKind::api},
    {"registry.example.dev", HostKind::api},      {"ads.example-ads.com", HostKind::telemetry}};
constexpr std::size_t kHostCount = std::size(kHosts);
constexpr double kZipfExponent = 1.05;

const char* const kResources[] = {"users",    "orders",   "products", "carts",    "sessions", "items",
                                  "accounts", "invoices", "messages", "events",   "payments", "reviews",
                                  "coupons",  "shipments", "addresses", "subscriptions"};
const char* const kSubResources[] = {"items", "orders", "messages", "events", "reviews", "addresses", "history"};

// Common words of bodies and request bodies (none contains a rare or a
// missing word below).
const char* const kWords[] = {
    "alpha",    "bravo",    "charlie",   "delta",     "echo",      "foxtrot",  "golf",      "hotel",    "india",
    "lima",     "mike",     "november",  "oscar",     "papa",      "quebec",   "romeo",     "sierra",   "tango",
    "uniform",  "victor",   "whiskey",   "yankee",    "zulu",      "red",      "green",     "blue",     "yellow",
    "purple",   "orange",   "silver",    "golden",    "black",     "white",    "small",     "medium",   "large",
    "classic",  "premium",  "standard",  "express",   "organic",   "wireless", "portable",  "compact",  "deluxe",
    "vintage",  "modern",   "rustic",    "linen",     "cotton",    "leather",  "ceramic",   "bamboo",   "steel",
    "glass",    "wooden",   "chair",     "table",     "lamp",      "kettle",   "blanket",   "backpack", "jacket",
    "sneaker",  "watch",    "speaker",   "monitor",   "keyboard",  "mouse",    "charger",   "cable",    "bottle",
    "mug",      "notebook", "pencil",    "garden",    "kitchen",   "office",   "travel",    "outdoor",  "winter",
    "summer",   "spring",   "autumn",    "delivery",  "shipping",  "return",   "refund",    "discount", "bundle",
    "gift",     "limited",  "edition",   "available", "pending",   "shipped",  "delivered", "cancelled", "active",
    "archived", "draft",    "verified",  "customer",  "merchant",  "warehouse", "berlin",   "paris",    "london",
    "madrid",   "vienna",   "oslo",      "lisbon",    "warsaw",    "prague",   "dublin",    "rome",     "athens",
    "fresh",    "quick",    "simple",    "smart",     "secure",    "daily",    "weekly",    "monthly",  "annual",
    "order",    "invoice",  "payment",   "account",   "profile",   "settings", "review",    "rating",   "comment",
    "stock",    "price",    "tax",       "total",     "balance",   "credit",   "debit",     "transfer", "status"};
constexpr std::size_t kWordCount = std::size(kWords);

// Each appears in about 0.1% of the rows (one per unique JSON response body
// that gets a rare word): body search hits.
const char* const kRareWords[] = {"zeppelin", "quokka",   "marzipan", "xylophone", "kumquat",  "narwhal",
                                  "platypus", "rhubarb",  "saffron",  "wombat",    "zircon",   "juniper",
                                  "tamarind", "axolotl",  "gazpacho", "pangolin"};
constexpr std::size_t kRareWordCount = std::size(kRareWords);
// Never generated: body search misses.
const char* const kMissingWords[] = {"flibbertigibbet", "snollygoster", "bumfuzzle", "cattywampus",
                                     "gobbledygook",    "lollygag",     "widdershins", "kerfuffle"};

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
const char* const kErrors[] = {"connection reset by peer",
                               "timed out after 30000 ms waiting for the response",
                               "TLS handshake failed: certificate verify failed",
                               "connection refused",
                               "stream reset by peer (RST_STREAM INTERNAL_ERROR)"};
const char* const kGraphqlOps[] = {"GetOrder", "ListProducts", "UpdateCart", "GetProfile", "SearchItems", "CreateReview"};

// Response content types the generator writes (resp_content_type values).
const char* const kRespTypes[] = {"application/json", "text/html", "image/png", "application/javascript",
                                  "text/css", "font/woff2"};

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

// Sessions the rows are split into, in id order (contiguous blocks).
struct SessionDef {
  const char* name;
  std::string_view source;
  double share;
};
const SessionDef kSessions[] = {{"query_bench 1 (har import)", trafficdb::session_source::har, 0.35},
                                {"query_bench 2 (charles import)", trafficdb::session_source::charles, 0.30},
                                {"query_bench 3 (charles live)", trafficdb::session_source::charles_live, 0.25},
                                {"query_bench 4 (pcap)", trafficdb::session_source::pcap, 0.10}};

class Generator {
 public:
  static constexpr Micros kEpoch = 1736848800000000;  // 2025-01-14T10:00:00Z
  static constexpr Micros kSpan = 86400LL * 1000000;  // 24 hours

  Generator(std::uint64_t seed, std::uint64_t count, std::uint64_t body_bytes)
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
          if (shape < 25 || pick(100) < 15) rq.query = query_string(index);
          status = kGetStatus.pick(rng_());
        } else if (rq.method == "POST") {
          rq.path = shape < 60 ? api + resource : api + resource + "/" + numeric_id() + "/" + sub_resource();
          status = kPostStatus.pick(rng_());
        } else {
          rq.path = api + resource + "/" + (shape < 60 ? numeric_id() : uuid());
          status = rq.method == "DELETE" ? kDeleteStatus.pick(rng_()) : kPutStatus.pick(rng_());
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
        status = kGetStatus.pick(rng_());
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
        status = post ? (pick(100) < 80 ? 302 : 401) : kWebStatus.pick(rng_());
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
        status = kAssetStatus.pick(rng_());
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
        status = kTelemetryStatus.pick(rng_());
        if (status == 200) {
          resp_body = "{\"ok\":true,\"received\":" + std::to_string(range(1, 5)) + "}";
          resp_type = "application/json";
        }
        break;
      }
    }
    rq.url = rq.scheme + "://" + rq.host + rq.path;
    if (rq.query) rq.url += "?" + *rq.query;
    if (!rq.body.data.empty()) {
      rq.body.size = static_cast<std::int64_t>(rq.body.data.size());
      rq.body.wire_size = rq.body.size;
    }

    // Timings: spread evenly over 24 hours; lognormal durations with a tail.
    const Micros spacing = std::max<Micros>(1, kSpan / static_cast<Micros>(count_));
    const Micros started = kEpoch + static_cast<Micros>(index) * spacing + static_cast<Micros>(pick(static_cast<std::uint64_t>(spacing)));
    double ms = std::exp(normal_(rng_) * 0.8 + (host.kind == HostKind::assets ? 2.7 : 4.2));  // ~15 / ~67 ms
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
    rs.headers = response_headers(rs, rs.body.data.empty() ? std::string() : resp_type, location, request_id, started);
    return e;
  }

  std::uint64_t rare_word_bodies() const { return rare_bodies_; }

 private:
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) { return lo + rng_() % (hi - lo + 1); }
  const char* word() { return kWords[pick(kWordCount)]; }
  std::string sub_resource() { return kSubResources[pick(std::size(kSubResources))]; }
  std::string numeric_id() { return std::to_string(range(1000, 9999999)); }

  std::size_t pick_host() {
    const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53 * host_cumulative_.back();
    return static_cast<std::size_t>(std::upper_bound(host_cumulative_.begin(), host_cumulative_.end(), u) -
                                    host_cumulative_.begin()) % kHostCount;
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

  std::string uuid() { return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12); }

  static std::string pool_hash(std::size_t k) {
    std::uint64_t x = (k + 1) * 0x9E3779B97F4A7C15ULL;
    x ^= x >> 29;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(x & 0xffffffffULL));
    return buf;
  }

  std::string query_string(std::uint64_t index) {
    switch (pick(5)) {
      case 0: return "page=" + std::to_string(range(1, 40)) + "&limit=" + std::to_string(range(1, 4) * 25);
      case 1: return "q=" + std::string(word()) + "+" + word() + "&lang=en";
      case 2: return "sort=created_at&order=desc&page=" + std::to_string(range(1, 9));
      case 3: return "fields=id,name,price,updated_at&include=variants,images";
      default: return "since=" + std::to_string(1736848800 + index) + "&cursor=" + hex(24);
    }
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
        const std::uint64_t bits = rng_();
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
    Headers hs;
    hs.reserve(12);
    hs.push_back({"Host", rq.host});
    hs.push_back({"User-Agent", kUserAgents[pick(std::size(kUserAgents))]});
    hs.push_back({"Accept", kind == HostKind::web ? "text/html,application/xhtml+xml,*/*;q=0.8"
                                                  : "application/json, text/plain, */*"});
    hs.push_back({"Accept-Encoding", "gzip, deflate, br"});
    hs.push_back({"Accept-Language", kLanguages[pick(std::size(kLanguages))]});
    hs.push_back({"X-Request-Id", request_id});
    if (!rq.body.data.empty()) {
      hs.push_back({"Content-Type", rq.mime_type.empty() ? "application/json" : rq.mime_type});
      hs.push_back({"Content-Length", std::to_string(rq.body.data.size())});
    }
    if (kind == HostKind::api || kind == HostKind::graphql) hs.push_back({"Authorization", "Bearer " + hex(40)});
    const std::size_t want = static_cast<std::size_t>(range(7, 11));
    constexpr std::size_t optional_count = 6;
    const std::size_t offset = static_cast<std::size_t>(pick(optional_count));
    for (std::size_t k = 0; k < optional_count && hs.size() < want; ++k) {
      switch ((offset + k) % optional_count) {
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
    }
    return hs;
  }

  Headers response_headers(const trafficdb::Response& rs, const std::string& content_type, const std::string& location,
                           const std::string& request_id, Micros started) {
    Headers hs;
    hs.reserve(12);
    hs.push_back({"Date", http_date(started)});
    hs.push_back({"Server", kServers[pick(std::size(kServers))]});
    hs.push_back({"Content-Length", std::to_string(rs.body.wire_size.value_or(0))});
    hs.push_back({"X-Request-Id", request_id});
    if (!content_type.empty()) {
      const bool text = content_type.rfind("text/", 0) == 0 || content_type == "application/json" ||
                        content_type == "application/javascript";
      hs.push_back({"Content-Type", text ? content_type + "; charset=utf-8" : content_type});
    }
    if (!rs.body.encoding.empty()) hs.push_back({"Content-Encoding", rs.body.encoding});
    if (!location.empty()) hs.push_back({"Location", location});
    const std::size_t want = static_cast<std::size_t>(range(6, 10));
    constexpr std::size_t optional_count = 8;
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
        default: hs.push_back({"Via", "1.1 varnish"}); break;
      }
    }
    return hs;
  }

  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_;
  std::uint64_t count_;
  std::uint64_t body_bytes_;
  std::vector<double> host_cumulative_;
  std::uint64_t rare_per_million_ = 0;
  std::uint64_t rare_bodies_ = 0;
  std::vector<std::string> png_pool_, font_pool_, js_pool_, css_pool_, html_pool_;
};

// ---------------------------------------------------------------- helpers

template <typename T>
T check(trafficdb::Result<T> r, const char* what) {
  if (!r.is_ok()) throw std::runtime_error(std::string(what) + ": " + r.status().message());
  return std::move(r).value();
}

void check(const trafficdb::Status& s, const char* what) {
  if (!s.is_ok()) throw std::runtime_error(std::string(what) + ": " + s.message());
}











double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// ---------------------------------------------------------------- build

struct BuildResult {
  bool built = false;
  double write_s = 0;  // generate + consume + close
  double index_s = 0;  // index_search_batch until complete
  std::uint64_t rare_word_bodies = 0;
};

BuildResult build_store(const Options& o, const std::string& path) {
  BuildResult r;
  r.built = true;
  std::cerr << "building " << o.count << " exchanges in " << path << " ...\n";
  const auto t0 = Clock::now();
  {
    Generator gen(o.seed, o.count, o.body_bytes);
    std::unique_ptr<trafficdb::Writer> writer = check(trafficdb::Writer::open(path), "Writer::open");
    std::uint64_t index = 0;
    double cumulative = 0;
    for (std::size_t s = 0; s < std::size(kSessions); ++s) {
      const SessionDef& def = kSessions[s];
      cumulative += def.share;
      const std::uint64_t end =
          s + 1 == std::size(kSessions) ? o.count : static_cast<std::uint64_t>(cumulative * static_cast<double>(o.count));
      const bool live = def.source == trafficdb::session_source::charles_live;
      const std::int64_t session = check(
          writer->create_session({def.name, def.source, "", trafficdb::session_status::recording, ""}), "create_session");
      for (; index < end; ++index) {
        check(writer->consume(session, gen.next(index)), "consume");
        if ((index + 1) % 100000 == 0) std::cerr << "  " << index + 1 << " rows, " << fixed(seconds_since(t0), 1) << " s\n";
      }
      check(writer->finish_session(session, live ? trafficdb::session_status::stopped : trafficdb::session_status::imported,
                                   std::nullopt),
            "finish_session");
    }
    check(writer->close(), "close");
    r.rare_word_bodies = gen.rare_word_bodies();
  }
  r.write_s = seconds_since(t0);
  std::cerr << "written in " << fixed(r.write_s, 1) << " s\n";
  return r;
}

// Runs index_search_batch until nothing is left; returns seconds.
double complete_search_index(const std::string& path) {
  auto db = check(trafficdb::open_database(path, trafficdb::OpenMode::read_write), "open_database");
  const auto t0 = Clock::now();
  bool remaining = true;
  std::uint64_t batches = 0;
  while (remaining) {
    check(trafficdb::index_search_batch(*db, kIndexBatchRows, remaining), "index_search_batch");
    if (++batches % 10 == 0)
      std::cerr << "  indexed " << batches * kIndexBatchRows << " rows, " << fixed(seconds_since(t0), 1) << " s\n";
  }
  const double s = seconds_since(t0);
  db->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return s;
}

// ---------------------------------------------------------------- queries

// What the data holds, read once (untimed) to draw parameters from.
struct DataInfo {
  std::int64_t rows = 0, min_id = 0, max_id = 0;
  Micros first_started = 0, last_started = 0;
  std::vector<std::string> hosts;
  std::vector<std::string> domains;  // last two labels of the hosts
  std::vector<std::int64_t> sessions;
  std::vector<std::string> url_ids;  // numeric ids and UUIDs taken from URLs
};

bool is_id_segment(std::string_view s) {
  if (s.size() >= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return true;
  return s.size() == 36 && s[8] == '-' && s[13] == '-';
}

DataInfo read_data_info(SQLite::Database& db, std::mt19937_64& rng) {
  DataInfo d;
  {
    SQLite::Statement st(db, "SELECT count(*), min(id), max(id), min(started_at), max(started_at) FROM exchanges");
    st.executeStep();
    d.rows = st.getColumn(0).getInt64();
    d.min_id = st.getColumn(1).getInt64();
    d.max_id = st.getColumn(2).getInt64();
    d.first_started = st.getColumn(3).getInt64();
    d.last_started = st.getColumn(4).getInt64();
  }
  if (d.rows == 0) throw std::runtime_error("the database has no exchanges");
  {
    SQLite::Statement st(db, "SELECT DISTINCT host FROM exchanges WHERE host IS NOT NULL ORDER BY host");
    while (st.executeStep()) d.hosts.push_back(st.getColumn(0).getString());
  }
  std::map<std::string, int> domains;
  for (const std::string& h : d.hosts) {
    const std::size_t last = h.rfind('.');
    const std::size_t prev = last == std::string::npos || last == 0 ? std::string::npos : h.rfind('.', last - 1);
    ++domains[prev == std::string::npos ? h : h.substr(prev + 1)];
  }
  for (const auto& [domain, n] : domains) d.domains.push_back(domain);
  {
    SQLite::Statement st(db, "SELECT id FROM sessions ORDER BY id");
    while (st.executeStep()) d.sessions.push_back(st.getColumn(0).getInt64());
  }
  {
    SQLite::Statement st(db, "SELECT path FROM exchanges WHERE id >= ? ORDER BY id LIMIT 1");
    for (int attempt = 0; attempt < 5000 && d.url_ids.size() < 500; ++attempt) {
      st.reset();
      st.bind(1, static_cast<std::int64_t>(d.min_id + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(d.max_id - d.min_id + 1))));
      if (!st.executeStep() || st.getColumn(0).isNull()) continue;
      const std::string path = st.getColumn(0).getString();
      std::string found;
      std::size_t start = 0;
      while (start < path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        const std::string_view seg(path.data() + start, slash - start);
        if (is_id_segment(seg)) found = std::string(seg);
        start = slash + 1;
      }
      if (!found.empty()) d.url_ids.push_back(found);
    }
  }
  if (d.url_ids.empty()) d.url_ids.push_back("12345");
  return d;
}

// One timed call: what it returned (rows, items, groups or a count).
using Call = std::function<std::int64_t()>;

struct QueryDef {
  std::string name;   // JSON key
  std::string label;  // table
  std::optional<double> target_ms;
  std::function<Call(std::mt19937_64&)> make;  // draws parameters (untimed), returns the call
};

struct QueryResult {
  std::string name, label;
  std::optional<double> target_ms;
  std::size_t runs = 0;
  double p50 = 0, p99 = 0, max = 0, avg_rows = 0;
  bool pass() const { return !target_ms || p99 < *target_ms; }
};

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

template <typename T>
T pick_from(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[rng() % v.size()];
}

std::int64_t uniform(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
}

std::vector<QueryDef> define_queries(SQLite::Database& db, const DataInfo& d, const Options& o) {
  std::vector<QueryDef> q;
  const bool newest = o.newest_first;
  // find_exchanges, limit 50, with the filter `f` builds.
  auto page = [&db, newest](std::function<void(trafficdb::ExchangeFilter&, std::mt19937_64&)> f) {
    return [&db, newest, f](std::mt19937_64& rng) -> Call {
      trafficdb::PageRequest rq;
      rq.limit = 50;
      rq.newest_first = newest;
      f(rq.filter, rng);
      return [&db, rq] {
        return static_cast<std::int64_t>(check(trafficdb::find_exchanges(db, rq), "find_exchanges").items.size());
      };
    };
  };
  auto status = [](const char* spec) { return check(trafficdb::parse_status_spec(spec), "parse_status_spec"); };
  auto host = [](const std::string& text) { return check(trafficdb::parse_host_pattern(text), "parse_host_pattern"); };
  const double filter_target = kFilterTargetMs;

  q.push_back({"host_exact", "host exact (random host)", filter_target,
               page([&d, host](auto& f, auto& rng) { f.hosts = {host(pick_from(rng, d.hosts))}; })});
  q.push_back({"host_suffix", "host *.domain (random domain)", filter_target,
               page([&d, host](auto& f, auto& rng) { f.hosts = {host("*." + pick_from(rng, d.domains))}; })});
  q.push_back({"method_post", "method POST", filter_target,
               page([](auto& f, auto&) { f.methods = {"POST"}; })});
  q.push_back({"status_5xx", "status 5xx", filter_target,
               page([status](auto& f, auto&) { f.statuses = status("5xx"); })});
  q.push_back({"status_404", "status 404", filter_target,
               page([status](auto& f, auto&) { f.statuses = status("404"); })});
  q.push_back({"session", "session id (random session)", filter_target,
               page([&d](auto& f, auto& rng) { f.session_ids = {pick_from(rng, d.sessions)}; })});
  q.push_back({"time_range", "time: 10 min window, last 30 min", filter_target, page([&d](auto& f, auto& rng) {
                 const Micros end = d.last_started + 1 - uniform(rng, 0, 30LL * 60 * 1000000);
                 f.since = end - 10LL * 60 * 1000000;
                 f.until = end;
               })});
  q.push_back({"host_status", "host exact + status (200/404/500)", filter_target,
               page([&d, host, status](auto& f, auto& rng) {
                 static const char* const codes[] = {"200", "404", "500"};
                 f.hosts = {host(pick_from(rng, d.hosts))};
                 f.statuses = status(codes[rng() % 3]);
               })});
  q.push_back({"path_prefix", "path prefix /api/vN/resource", filter_target, page([](auto& f, auto& rng) {
                 f.path_prefix = std::string(rng() % 3 ? "/api/v1/" : "/api/v2/") + kResources[rng() % std::size(kResources)];
               })});
  q.push_back({"has_error", "has error", filter_target, page([](auto& f, auto&) { f.has_error = true; })});
  q.push_back({"min_duration", "min duration 1-5 s", filter_target, page([](auto& f, auto& rng) {
                 f.min_duration_ms = static_cast<double>(uniform(rng, 1000, 5000));
               })});
  q.push_back({"resp_type", "resp content type (random type)", filter_target, page([](auto& f, auto& rng) {
                 f.resp_content_type = kRespTypes[rng() % std::size(kRespTypes)];
               })});
  q.push_back({"url_contains_id", "url contains an id (indexed)", filter_target,
               page([&d](auto& f, auto& rng) { f.url_contains = pick_from(rng, d.url_ids); })});
  q.push_back({"url_contains_word", "url contains a resource (indexed)", filter_target, page([](auto& f, auto& rng) {
                 f.url_contains = kResources[rng() % std::size(kResources)];
               })});
  q.push_back({"url_regex", "url regex (random pattern)", filter_target, page([](auto& f, auto& rng) {
                 static const char* const patterns[] = {
                     R"(/api/v[12]/orders/\d+$)", R"(/users/[0-9a-f]{8}-[0-9a-f-]{27}/)", R"(\.png\?v=)",
                     R"(/products/\d{7}$)",       R"(cursor=[0-9a-f]{24})",                 R"(/invoices/\d+/history)"};
                 f.url_regex = patterns[rng() % std::size(patterns)];
               })});

  // Cursor pages without a filter, deep into the table.
  q.push_back({"page_after_deep", "page after_id ~90% (oldest first)", filter_target, [&db, &d](auto& rng) -> Call {
                 trafficdb::PageRequest rq;
                 const std::int64_t span = d.max_id - d.min_id;
                 rq.after_id = d.min_id + span * 9 / 10 + uniform(rng, -span / 100, span / 100);
                 return [&db, rq] {
                   return static_cast<std::int64_t>(check(trafficdb::find_exchanges(db, rq), "find_exchanges").items.size());
                 };
               }});
  q.push_back({"page_before_deep", "page before_id ~10% (newest first)", filter_target, [&db, &d](auto& rng) -> Call {
                 trafficdb::PageRequest rq;
                 const std::int64_t span = d.max_id - d.min_id;
                 rq.before_id = d.min_id + span / 10 + uniform(rng, -span / 100, span / 100);
                 rq.newest_first = true;
                 return [&db, rq] {
                   return static_cast<std::int64_t>(check(trafficdb::find_exchanges(db, rq), "find_exchanges").items.size());
                 };
               }});

  q.push_back({"detail", "detail by id (exchange_detail_json)", kDetailTargetMs, [&db, &d](auto& rng) -> Call {
                 const std::int64_t id = uniform(rng, d.min_id, d.max_id);
                 return [&db, id] {
                   const auto j = check(trafficdb::exchange_detail_json(db, id, trafficdb::DetailOptions{}), "detail");
                   return static_cast<std::int64_t>(j ? 1 : 0);
                 };
               }});

  auto stats = [&db](trafficdb::StatsGroup g, bool one_host, const DataInfo& info) {
    return [&db, g, one_host, &info](std::mt19937_64& rng) -> Call {
      trafficdb::ExchangeFilter f;
      if (one_host) f.hosts = {check(trafficdb::parse_host_pattern(pick_from(rng, info.hosts)), "host")};
      return [&db, g, f] {
        return static_cast<std::int64_t>(check(trafficdb::traffic_stats(db, f, g, 50), "traffic_stats").groups);
      };
    };
  };
  q.push_back({"stats_host_all", "stats by host, all rows", std::nullopt, stats(trafficdb::StatsGroup::host, false, d)});
  q.push_back({"stats_path_all", "stats by path, all rows", std::nullopt, stats(trafficdb::StatsGroup::path, false, d)});
  q.push_back({"stats_host_one", "stats by host, one host", std::nullopt, stats(trafficdb::StatsGroup::host, true, d)});
  q.push_back({"stats_path_one", "stats by path, one host", std::nullopt, stats(trafficdb::StatsGroup::path, true, d)});

  q.push_back({"body_hit", "body contains a rare word (~0.1%)", kBodySearchTargetMs, page([](auto& f, auto& rng) {
                 f.body_contains = kRareWords[rng() % kRareWordCount];
               })});
  q.push_back({"body_miss", "body contains a missing word", kBodySearchTargetMs, page([](auto& f, auto& rng) {
                 f.body_contains = kMissingWords[rng() % std::size(kMissingWords)];
               })});

  q.push_back({"count_status", "count: status 4xx or 5xx (cap 100k)", std::nullopt, [&db](auto& rng) -> Call {
                 trafficdb::ExchangeFilter f;
                 f.statuses = check(trafficdb::parse_status_spec(rng() % 2 ? "4xx" : "5xx"), "status");
                 return [&db, f] {
                   bool capped = false;
                   return check(trafficdb::count_exchanges(db, f, kCountCap, &capped), "count_exchanges");
                 };
               }});
  return q;
}

QueryResult measure(const QueryDef& def, std::uint64_t seed, const Options& o) {
  std::mt19937_64 rng(seed);
  auto time_one = [&](std::int64_t* rows) {
    const Call call = def.make(rng);  // parameters drawn outside the timer
    const auto t0 = Clock::now();
    const std::int64_t n = call();
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (rows) *rows = n;
    return ms;
  };
  // Warm-up (untimed): three runs; their median decides fast or slow.
  std::vector<double> warm;
  for (int i = 0; i < 3; ++i) warm.push_back(time_one(nullptr));
  std::sort(warm.begin(), warm.end());
  const std::size_t runs = static_cast<std::size_t>(warm[1] > o.slow_ms ? o.slow_runs : o.runs);

  QueryResult r{def.name, def.label, def.target_ms};
  std::vector<double> ms;
  ms.reserve(runs);
  double rows = 0;
  for (std::size_t i = 0; i < runs; ++i) {
    std::int64_t n = 0;
    ms.push_back(time_one(&n));
    rows += static_cast<double>(n);
  }
  std::sort(ms.begin(), ms.end());
  r.runs = runs;
  r.p50 = percentile(ms, 0.50);
  r.p99 = percentile(ms, 0.99);
  r.max = ms.back();
  r.avg_rows = rows / static_cast<double>(runs);
  return r;
}

std::string pad(std::string s, std::size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

// ---------------------------------------------------------------- main

int run(const Options& o) {
  const bool temporary = o.db_path.empty();
  std::string path = o.db_path;
  if (temporary) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path();
    path = (dir / ("trafficdb-query-bench-" + std::to_string(::getpid()) + ".db")).string();
  }
  struct Cleanup {
    std::string path;
    bool active;
    ~Cleanup() {
      if (active) remove_database(path);
    }
  } cleanup{path, temporary && !o.keep};

  std::cout << "SQLite " << sqlite3_libversion() << " (compiled against " << SQLITE_VERSION << ")\n";
  BuildResult build;
  const bool exists = file_exists(path);
  if (exists && !o.reuse) {
    std::cerr << "query_bench: " << path << " already exists; pass --reuse to use it, or remove it\n";
    return 1;
  }
  if (!exists) build = build_store(o, path);
  std::cout << "db: " << path << (temporary ? (o.keep ? " (temporary, kept)" : " (temporary)") : "")
            << (build.built ? ", built" : ", reused") << "\n";
  std::cerr << "completing the search indexes ...\n";
  build.index_s = complete_search_index(path);
  if (build.built)
    std::cout << "build: " << o.count << " exchanges generated and written through the Writer in "
              << fixed(build.write_s, 1) << " s (" << fixed(static_cast<double>(o.count) / build.write_s, 0)
              << " rows/s, generation included); search indexes completed in " << fixed(build.index_s, 1)
              << " s; total " << fixed(build.write_s + build.index_s, 1) << " s\n";
  else
    std::cout << "search index catch-up: " << fixed(build.index_s, 2) << " s\n";

  auto db = check(trafficdb::open_query_database(path, trafficdb::OpenMode::read_only), "open_query_database");
  std::mt19937_64 info_rng(o.seed ^ 0x5eedULL);
  const DataInfo d = read_data_info(*db, info_rng);
  const std::uint64_t db_bytes = file_size(path), wal_bytes = file_size(path + "-wal");
  std::int64_t bodies = 0;
  {
    SQLite::Statement st(*db, "SELECT count(*) FROM bodies");
    st.executeStep();
    bodies = st.getColumn(0).getInt64();
  }
  std::cout << "data: " << d.rows << " exchanges (ids " << d.min_id << ".." << d.max_id << "), " << bodies
            << " bodies, " << d.hosts.size() << " hosts, " << d.sessions.size() << " sessions, "
            << fixed(static_cast<double>(d.last_started - d.first_started) / 3.6e9, 1) << " h of traffic\n";
  std::cout << "database size: " << fixed(static_cast<double>(db_bytes) / 1e6, 1) << " MB (+ "
            << fixed(static_cast<double>(wal_bytes) / 1e6, 1) << " MB WAL), "
            << fixed(static_cast<double>(db_bytes + wal_bytes) / static_cast<double>(d.rows), 0) << " B/exchange\n";
  if (build.built)
    std::cout << "rare words put into " << build.rare_word_bodies << " response bodies ("
              << fixed(100.0 * static_cast<double>(build.rare_word_bodies) / static_cast<double>(kRareWordCount) /
                           static_cast<double>(d.rows), 3)
              << "% of rows per word)\n";
  std::cout << "filter pages: limit 50, " << (o.newest_first ? "newest first" : "oldest first (ascending id)")
            << "; warm-up: 3 untimed runs per query, median > " << fixed(o.slow_ms, 0) << " ms -> " << o.slow_runs
            << " runs, else " << o.runs << "\n"
            << std::flush;

  const std::vector<QueryDef> queries = define_queries(*db, d, o);
  std::vector<QueryResult> results;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (!o.only.empty() && queries[i].name.find(o.only) == std::string::npos) continue;
    std::cerr << "  " << queries[i].name << " ..." << std::flush;
    const auto t0 = Clock::now();
    results.push_back(measure(queries[i], o.seed * 1000003ULL + i, o));
    std::cerr << " " << fixed(seconds_since(t0), 1) << " s\n";
  }

  std::cout << "\n"
            << pad("query", 38) << pad("runs", 6, true) << pad("p50 ms", 10, true) << pad("p99 ms", 10, true)
            << pad("max ms", 10, true) << pad("avg rows", 10, true) << pad("target", 9, true) << "  result\n";
  std::cout << std::string(38 + 6 + 10 * 4 + 9 + 8, '-') << "\n";
  int passed = 0, failed = 0;
  for (const QueryResult& r : results) {
    std::string verdict = "-";
    if (r.target_ms) {
      verdict = r.pass() ? "pass" : "FAIL";
      (r.pass() ? passed : failed) += 1;
    }
    std::cout << pad(r.label, 38) << pad(std::to_string(r.runs), 6, true) << pad(fixed(r.p50, 2), 10, true)
              << pad(fixed(r.p99, 2), 10, true) << pad(fixed(r.max, 2), 10, true)
              << pad(fixed(r.avg_rows, r.avg_rows >= 100 ? 0 : 1), 10, true)
              << pad(r.target_ms ? "< " + fixed(*r.target_ms, 0) : std::string("-"), 9, true) << "  " << verdict << "\n";
  }
  std::cout << "\n" << passed << " of " << passed + failed << " targets met";
  if (failed) {
    std::cout << "; missed:";
    for (const QueryResult& r : results)
      if (!r.pass()) std::cout << " " << r.name;
  }
  std::cout << "\n(avg rows: page items, stats groups, or the count; p99 is the nearest rank, "
               "i.e. the maximum when runs < 100)\n";

  std::string json = "{\"bench\":\"query\",\"sqlite_version\":" + json_string(sqlite3_libversion()) +
                     ",\"rows\":" + std::to_string(d.rows) + ",\"bodies\":" + std::to_string(bodies) +
                     ",\"db_bytes\":" + std::to_string(db_bytes) + ",\"wal_bytes\":" + std::to_string(wal_bytes) +
                     ",\"built\":" + (build.built ? "true" : "false") + ",\"seed\":" + std::to_string(o.seed) +
                     ",\"newest_first\":" + (o.newest_first ? "true" : "false");
  if (build.built)
    json += ",\"count\":" + std::to_string(o.count) + ",\"body_bytes\":" + std::to_string(o.body_bytes) +
            ",\"build_write_s\":" + fixed(build.write_s, 3) + ",\"build_index_s\":" + fixed(build.index_s, 3) +
            ",\"build_s\":" + fixed(build.write_s + build.index_s, 3);
  else
    json += ",\"index_catchup_s\":" + fixed(build.index_s, 3);
  json += ",\"queries\":[";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const QueryResult& r = results[i];
    json += std::string(i ? "," : "") + "{\"name\":" + json_string(r.name) + ",\"runs\":" + std::to_string(r.runs) +
            ",\"p50_ms\":" + fixed(r.p50, 3) + ",\"p99_ms\":" + fixed(r.p99, 3) + ",\"max_ms\":" + fixed(r.max, 3) +
            ",\"avg_rows\":" + fixed(r.avg_rows, 1) + ",\"target_ms\":" +
            (r.target_ms ? fixed(*r.target_ms, 0) : std::string("null")) + ",\"pass\":" +
            (r.target_ms ? (r.pass() ? "true" : "false") : "null") + "}";
  }
  json += "],\"passed\":" + std::to_string(passed) + ",\"failed\":" + std::to_string(failed) + "}";
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
    std::cerr << "query_bench: " << e.what() << "\n";
    return 1;
  }
}
