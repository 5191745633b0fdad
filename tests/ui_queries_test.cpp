// The queries the web UI adds to query/ (traffic_timeline, waterfall), and
// the Origin and Host checks its server shares with MCP (common/local_origin).
#include <catch2/catch.hpp>

#include "common/local_origin.h"
#include "query/exchange_filter.h"
#include "query/query_database.h"
#include "query/traffic_timeline.h"
#include "query/waterfall.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

// test::make_exchange(n) starts at 1.7e15 + n ms, lasts 2.5 ms; every 10th (n % 10 == 9) is a 500.
std::string store_of(const test::TempDir& dir, int count) {
  auto writer = Writer::open(dir.file("t.db"));
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
  for (int i = 0; i < count; ++i) REQUIRE((*writer)->consume(session, test::make_exchange(i)).is_ok());
  REQUIRE((*writer)->close().is_ok());
  return dir.file("t.db");
}

}  // namespace

TEST_CASE("The timeline counts requests and errors in round buckets", "[query][ui]") {
  test::TempDir dir;
  auto db = open_query_database(store_of(dir, 3000), OpenMode::read_only);
  REQUIRE(db.is_ok());
  auto timeline = traffic_timeline(**db, {}, 120, 10s);
  REQUIRE(timeline.is_ok());
  CHECK(timeline->width == 1'000'000);  // 3 s of traffic: 1 s buckets
  REQUIRE(timeline->buckets.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(timeline->buckets[i].start == 1'700'000'000'000'000 + static_cast<Micros>(i) * 1'000'000);
    CHECK(timeline->buckets[i].count == 1000);
    CHECK(timeline->buckets[i].errors == 100);
    CHECK(timeline->buckets[i].client_errors == 0);
  }
  // Fewer buckets allowed: wider ones, same total.
  auto two = traffic_timeline(**db, {}, 2, 10s);
  REQUIRE(two.is_ok());
  CHECK(two->width == 2'000'000);
  CHECK(two->buckets.size() == 2);
  CHECK(two->buckets[0].count + two->buckets[1].count == 3000);
  // A filter: only the 500s.
  ExchangeFilter errors;
  errors.statuses = *parse_status_spec("5xx");
  auto only = traffic_timeline(**db, errors, 120, 10s);
  REQUIRE(only.is_ok());
  std::int64_t total = 0;
  for (const auto& b : only->buckets) total += b.count;
  CHECK(total == 300);
  // Nothing matching: no buckets, no width.
  ExchangeFilter none;
  none.statuses = *parse_status_spec("404");
  auto empty = traffic_timeline(**db, none, 120, 10s);
  REQUIRE(empty.is_ok());
  CHECK(empty->buckets.empty());
  CHECK(empty->width == 0);
  CHECK_FALSE(traffic_timeline(**db, {}, 0, 10s).is_ok());
}

TEST_CASE("The waterfall gives each exchange's times and connection in start order, bounded", "[query][ui]") {
  test::TempDir dir;
  auto db = open_query_database(store_of(dir, 30), OpenMode::read_only);
  REQUIRE(db.is_ok());
  auto w = waterfall(**db, {}, 10, 10s);
  REQUIRE(w.is_ok());
  CHECK(w->truncated);
  REQUIRE(w->rows.size() == 10);
  for (std::size_t i = 0; i < w->rows.size(); ++i) {
    const WaterfallRow& r = w->rows[i];
    CHECK(r.started_at == 1'700'000'000'000'000 + static_cast<Micros>(i) * 1000);
    REQUIRE(r.ended_at);
    CHECK(*r.ended_at - r.started_at == 2500);
    CHECK(r.connection == "127.0.0.1:5000 -> 10.0.0.1:443");
    CHECK(r.path == "/v1/items/" + std::to_string(i));
  }
  auto all = waterfall(**db, {}, 100, 10s);
  REQUIRE(all.is_ok());
  CHECK_FALSE(all->truncated);
  CHECK(all->rows.size() == 30);
  const auto json = waterfall_to_json(*all);
  CHECK(json.at("rows").at(0).at("end_us").get<std::int64_t>() == 1'700'000'000'002'500);
}

TEST_CASE("Only localhost origins and loopback or bound Host names are admitted", "[ui][hostile]") {
  CHECK(is_localhost_origin("http://localhost"));
  CHECK(is_localhost_origin("http://127.0.0.1:8080"));
  CHECK(is_localhost_origin("https://[::1]:3000"));
  CHECK_FALSE(is_localhost_origin("http://localhost.evil.example"));
  CHECK_FALSE(is_localhost_origin("http://127.0.0.1.evil.example"));
  CHECK_FALSE(is_localhost_origin("null"));
  CHECK(origin_allowed("https://app.example", {"https://app.example"}));
  CHECK_FALSE(origin_allowed("https://app.example.evil", {"https://app.example"}));

  CHECK(host_header_allowed("127.0.0.1:7412", "127.0.0.1"));
  CHECK(host_header_allowed("LOCALHOST:7412", "127.0.0.1"));
  CHECK(host_header_allowed("[::1]:7412", "::1"));
  CHECK_FALSE(host_header_allowed("evil.example:7412", "127.0.0.1"));  // DNS rebinding
  CHECK_FALSE(host_header_allowed("", "127.0.0.1"));
  CHECK(host_header_allowed("192.168.1.5:7412", "192.168.1.5"));
  CHECK(host_header_allowed("anything.example", "0.0.0.0"));  // bound to all: the token protects it

  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("192.168.1.5"));
}
