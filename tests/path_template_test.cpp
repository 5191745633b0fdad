#include <catch2/catch.hpp>

#include <chrono>

#include "query/exchange_filter.h"
#include "query/exchange_page.h"
#include "query/filter_spec.h"
#include "model/path_template.h"
#include "query/query_database.h"
#include "query/readonly_sql.h"
#include "query/traffic_stats.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;

TEST_CASE("Path templates replace ids, UUIDs, hex, tokens and dates and keep words", "[query][path_template]") {
  CHECK(path_template("/users/123/orders/9f8e2a6e-1b2c-4d5e-8f90-123456789ABC") == "/users/{id}/orders/{uuid}");
  CHECK(path_template("/api/v1/users/me") == "/api/v1/users/me");
  CHECK(path_template("/v2/items/0042") == "/v2/items/{id}");
  CHECK(path_template("/blobs/deadbeefcafef00d") == "/blobs/{hex}");        // 16 hex digits
  CHECK(path_template("/commits/a1b2c3d4") == "/commits/{hex}");             // 8, digits and letters
  CHECK(path_template("/styles/facade/decade/added") == "/styles/facade/decade/added");  // a-f words stay
  CHECK(path_template("/x/abc123") == "/x/abc123");                          // short: a word
  CHECK(path_template("/keys/AbCdEf0123456789xyzQ") == "/keys/{token}");     // 20, mixed case, digits
  CHECK(path_template("/keys/k3j4h5g6f7d8s9a0q1w2e3") == "/keys/{token}");   // lower-case, no separators
  CHECK(path_template("/k/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==") == "/k/{token}"); // base64 with padding
  CHECK(path_template("/blog/how-to-build-a-2026-release") == "/blog/how-to-build-a-2026-release");  // slug
  CHECK(path_template("/t/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl") == "/t/{token}");  // JWT
  CHECK(path_template("/reports/2026-01-15/summary") == "/reports/{date}/summary");
  CHECK(path_template("/reports/2026-13-15") == "/reports/2026-13-15");      // no month 13
  CHECK(path_template("/files/report.pdf") == "/files/report.pdf");
  CHECK(path_template("/users/42?expand=orders#top") == "/users/{id}");     // no query, no fragment
  CHECK(path_template("users/42") == "users/{id}");
}

TEST_CASE("Path templates are safe and linear on hostile input", "[query][path_template][hostile]") {
  CHECK(path_template("") == "");
  CHECK(path_template("/") == "/");
  CHECK(path_template("//") == "//");
  CHECK(path_template("/a//42/") == "/a//{id}/");
  CHECK(path_template("/users/%34%32") == "/users/%34%32");  // not decoded
  CHECK(path_template("/caf\xC3\xA9/123") == "/caf\xC3\xA9/{id}");
  const std::string binary("/\x00\xff\x01/7/\x80", 8);
  CHECK(path_template(binary) == std::string("/\x00\xff\x01/{id}/\x80", 11));
  CHECK(segment_placeholder("") == "");

  const auto start = std::chrono::steady_clock::now();
  std::string one_segment(1 << 20, '7');  // a megabyte of digits: one {id}
  CHECK(path_template("/" + one_segment) == "/{id}");
  std::string many_segments;
  for (int i = 0; many_segments.size() < (1u << 20); ++i) many_segments += "/" + std::to_string(i) + "/ab";
  const std::string t = path_template(many_segments);
  CHECK(t.substr(0, 16) == "/{id}/ab/{id}/ab");
  std::string bytes(1 << 20, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>((i * 131) & 0xff);
    if (bytes[i] == '?' || bytes[i] == '#') bytes[i] = 'x';
  }
  CHECK(path_template(bytes).size() <= 3 * bytes.size());  // "/1" -> "/{id}" is the most a segment grows
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

namespace {

// Three endpoints: GET /users/{id} (3 calls), GET /users/{id}/orders/{uuid}
// (1), POST /users/{id} (1).
std::string endpoint_store(const test::TempDir& dir) {
  const std::string path = dir.file("t.db");
  auto writer = Writer::open(path);
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
  auto add = [&](const std::string& method, const std::string& p, int n) {
    Exchange e = test::make_exchange(n);
    e.request.method = method;
    e.request.path = p;
    e.request.url = "https://api.example.com" + p;
    REQUIRE((*writer)->consume(session, std::move(e)).is_ok());
  };
  add("GET", "/users/1", 1);
  add("GET", "/users/22", 2);
  add("GET", "/users/333", 3);
  add("GET", "/users/1/orders/9f8e2a6e-1b2c-4d5e-8f90-123456789abc", 4);
  add("POST", "/users/5", 5);
  REQUIRE((*writer)->close().is_ok());
  return path;
}

std::vector<std::int64_t> matching(SQLite::Database& db, const std::string& endpoint) {
  FilterSpec spec;
  spec.endpoint = endpoint;
  auto filter = spec.build([](std::string_view f) { return std::string(f); });
  REQUIRE(filter.is_ok());
  PageRequest r;
  r.filter = *filter;
  r.limit = 100;
  auto page = find_exchanges(db, r);
  REQUIRE(page.is_ok());
  std::vector<std::int64_t> ids;
  for (const auto& s : page->items) ids.push_back(s.id);
  return ids;
}

}  // namespace

TEST_CASE("Stats group by endpoint; the endpoint filter selects one", "[query][path_template][stats]") {
  test::TempDir dir;
  auto db = open_query_database(endpoint_store(dir), OpenMode::read_only);
  REQUIRE(db.is_ok());
  auto stats = traffic_stats(**db, {}, StatsGroup::endpoint, 10);
  REQUIRE(stats.is_ok());
  REQUIRE(stats->rows.size() == 3);
  CHECK(stats->rows[0].key == "GET /users/{id}");
  CHECK(stats->rows[0].count == 3);
  CHECK(stats->rows[1].key == "GET /users/{id}/orders/{uuid}");
  CHECK(stats->rows[2].key == "POST /users/{id}");
  CHECK(stats_to_json(*stats, StatsGroup::endpoint)["group_by"] == "endpoint");
  CHECK(parse_stats_group("endpoint").is_ok());
  // By path: the same templates without the method.
  auto paths = traffic_stats(**db, {}, StatsGroup::path, 10);
  REQUIRE(paths.is_ok());
  REQUIRE(paths->rows.size() == 2);
  CHECK(paths->rows[0].key == "/users/{id}");
  CHECK(paths->rows[0].count == 4);
  CHECK(paths->rows[1].key == "/users/{id}/orders/{uuid}");

  using Ids = std::vector<std::int64_t>;
  CHECK(matching(**db, "GET /users/{id}") == Ids{1, 2, 3});
  CHECK(matching(**db, "/users/{id}") == Ids{1, 2, 3, 5});
  CHECK(matching(**db, "post /users/77") == Ids{5});  // a real path names its endpoint
  CHECK(matching(**db, "/users/{id}/orders/{uuid}") == Ids{4});
  CHECK(matching(**db, "/users").empty());

  SqlLimits limits;
  auto sql = run_readonly_sql(**db, "SELECT path_template(path) FROM exchanges WHERE id = 4", limits);
  REQUIRE(sql.is_ok());
  CHECK(std::get<std::string>(sql->rows.at(0).at(0)) == "/users/{id}/orders/{uuid}");
}

TEST_CASE("Bad endpoint filters are refused with an example", "[query][path_template][hostile]") {
  CHECK(!parse_endpoint("").is_ok());
  CHECK(!parse_endpoint("users/{id}").is_ok());
  CHECK(!parse_endpoint("G3T /users").is_ok());
  const auto e = parse_endpoint("  get   /users/42 ");
  REQUIRE(e.is_ok());
  CHECK(e->method == "GET");
  CHECK(e->path_template == "/users/{id}");
  FilterSpec spec;
  spec.endpoint = "users";
  auto f = spec.build([](std::string_view f) { return "--" + std::string(f); });
  REQUIRE(!f.is_ok());
  CHECK(f.status().message().find("--endpoint") != std::string::npos);
  CHECK(f.status().message().find("GET /users/{id}") != std::string::npos);
}
