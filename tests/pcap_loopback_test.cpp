// Imports pcap files of real HTTP/1.1 traffic, captured by tcpdump on the
// loopback interface while curl and a pipelining client talk to the test
// server, and checks every stored exchange against what the clients did.
// The same packets out of order, retransmitted, or resent as overlapping
// segments must give the same exchanges. Needs root, tcpdump and curl:
// skipped without them.

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/http_test_server.h"
#include "tests/loopback_capture.h"
#include "tests/loopback_traffic.h"
#include "tests/pcap_rewrite.h"
#include "tests/test_support.h"

using namespace trafficdb;
using nlohmann::json;
using test::Client;
using test::PlannedConnection;

namespace {

std::vector<PlannedConnection> traffic_plan() {
  const std::string upload = test::deterministic_bytes(2 << 20, 11);
  const std::string small_json = R"({"hello":"world"})";
  return {
      {Client::curl,
       {{.method = "GET", .target = "/json?n=1", .response_body = test::json_body(1)},
        {.method = "GET", .target = "/chunked?n=2", .response_body = test::chunked_body(2)},
        {.method = "GET", .target = "/gzip?n=3", .accept_gzip = true, .response_body = test::gzip_body(3),
         .content_encoding = "gzip"},
        {.method = "HEAD", .target = "/json?n=4"},
        {.method = "GET", .target = "/etag?n=5", .response_body = test::etag_body()},
        {.method = "GET", .target = "/etag?n=6", .headers = {{"If-None-Match", test::kEtag}}, .status = 304},
        {.method = "GET", .target = "/missing?n=7", .status = 404},
        {.method = "POST", .target = "/echo?n=8", .headers = {{"Content-Type", "application/json"}},
         .body = small_json, .response_body = small_json},
        {.method = "GET", .target = "/json?n=9", .response_body = test::json_body(9)}}},
      {Client::curl, {{.method = "GET", .target = "/large?n=10", .response_body = test::large_body()}}},
      {Client::curl,
       {{.method = "POST", .target = "/echo?n=11",
         .headers = {{"Content-Type", "application/octet-stream"}, {"Expect", "100-continue"}},
         .body = upload, .response_body = upload}}},
      {Client::pipelining,
       {{.method = "GET", .target = "/json?n=12", .response_body = test::json_body(12)},
        {.method = "HEAD", .target = "/large?n=13"},
        {.method = "GET", .target = "/chunked?n=14", .response_body = test::chunked_body(14)}}},
  };
}

std::size_t request_count(const std::vector<PlannedConnection>& plan) {
  std::size_t n = 0;
  for (const auto& c : plan) n += c.requests.size();
  return n;
}

// The plan's traffic, captured once per process.
struct CapturedTraffic {
  test::TempDir dir;
  std::string pcap = dir.file("loopback.pcap");
  std::vector<PlannedConnection> plan = traffic_plan();
  int server_port = 0;
  std::vector<int> client_ports;  // one per connection of the plan
};

const CapturedTraffic& captured_traffic() {
  static const std::unique_ptr<CapturedTraffic> traffic = [] {
    auto t = std::make_unique<CapturedTraffic>();
    test::HttpTestServer server;
    t->server_port = server.port();
    test::LoopbackCapture capture(t->pcap, server.port());
    for (const auto& connection : t->plan)
      t->client_ports.push_back(test::run_connection(connection, server.port(), t->dir.path()));
    capture.stop();
    return t;
  }();
  return *traffic;
}

// Skips the test (test::skip_test) when captures cannot run here.
bool skipped_without_capture() {
  const std::string why = test::loopback_capture_unavailable();
  if (!why.empty()) test::skip_test(why);
  return !why.empty();
}

constexpr std::int64_t kNull = -1;  // how a NULL number reads back

// A row of `exchanges` with its bodies. NULL text and missing bodies read as "".
struct StoredExchange {
  std::string method, url, http_version, error, client_addr, server_addr;
  std::int64_t status, started_at, request_sent_at, response_started_at, ended_at;
  std::int64_t req_body_size, resp_body_size, resp_wire_size;
  json req_headers, resp_headers;
  std::string req_body, resp_body, req_body_hash, resp_body_hash;
};

std::vector<StoredExchange> stored_exchanges(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT e.method, e.url, e.http_version, e.error, e.client_addr, e.server_addr, e.status, "
                      "e.started_at, e.request_sent_at, e.response_started_at, e.ended_at, e.req_body_size, "
                      "e.resp_body_size, e.resp_wire_size, e.req_headers, e.resp_headers, "
                      "rq.data, rs.data, hex(rq.hash), hex(rs.hash) "
                      "FROM exchanges e LEFT JOIN bodies rq ON rq.id = e.req_body_id "
                      "LEFT JOIN bodies rs ON rs.id = e.resp_body_id ORDER BY e.id");
  std::vector<StoredExchange> rows;
  while (q.executeStep()) {
    int i = 0;
    const auto text = [&] { return q.getColumn(i++).getString(); };
    const auto number = [&] {
      const SQLite::Column c = q.getColumn(i++);
      return c.isNull() ? kNull : c.getInt64();
    };
    StoredExchange e;
    for (std::string* s : {&e.method, &e.url, &e.http_version, &e.error, &e.client_addr, &e.server_addr}) *s = text();
    for (std::int64_t* n : {&e.status, &e.started_at, &e.request_sent_at, &e.response_started_at, &e.ended_at,
                            &e.req_body_size, &e.resp_body_size, &e.resp_wire_size})
      *n = number();
    e.req_headers = json::parse(text());
    const std::string resp_headers = text();
    e.resp_headers = resp_headers.empty() ? json::array() : json::parse(resp_headers);
    for (std::string* s : {&e.req_body, &e.resp_body, &e.req_body_hash, &e.resp_body_hash}) *s = text();
    rows.push_back(std::move(e));
  }
  return rows;
}

std::vector<StoredExchange> import_capture(const std::string& pcap, const std::string& db) {
  const auto r = test::run_trafficdb({"--db", db, "import", pcap});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  return stored_exchanges(db);
}

std::vector<std::string> header_values(const json& headers, const std::string& name) {
  std::vector<std::string> values;
  const auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  for (const auto& pair : headers)
    if (lower(pair[0].get<std::string>()) == lower(name)) values.push_back(pair[1].get<std::string>());
  return values;
}

// "" when the bytes are the same, else how they differ (bodies are too big to print).
std::string difference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  const auto first = std::mismatch(got.begin(), got.end(), want.begin(), want.end()).first - got.begin();
  return std::to_string(got.size()) + " bytes instead of " + std::to_string(want.size()) +
         ", first difference at byte " + std::to_string(first);
}

void check_exchange(const StoredExchange& e, const test::PlannedRequest& r, const std::string& client,
                    const std::string& server) {
  CHECK(e.method == r.method);
  CHECK(e.http_version == "HTTP/1.1");
  CHECK(e.status == r.status);
  CHECK(e.error == "");
  CHECK(e.client_addr == client);
  CHECK(e.server_addr == server);
  for (const auto& [name, value] : r.headers) CHECK(header_values(e.req_headers, name) == std::vector{value});
  CHECK(e.req_body_size == static_cast<std::int64_t>(r.body.size()));
  CHECK(difference(e.req_body, r.body) == "");
  CHECK(e.resp_body_size == static_cast<std::int64_t>(r.response_body.size()));
  CHECK(difference(e.resp_body, r.response_body) == "");
  CHECK(e.resp_body_hash.empty() == r.response_body.empty());  // no bodies row for an empty body
  const auto encodings = r.content_encoding.empty() ? std::vector<std::string>{} : std::vector{r.content_encoding};
  CHECK(header_values(e.resp_headers, "Content-Encoding") == encodings);
  if (!r.content_encoding.empty()) {
    CHECK(e.resp_wire_size > 0);
    CHECK(e.resp_wire_size < e.resp_body_size);
  }
  CHECK(e.started_at != kNull);
  CHECK(e.started_at <= e.request_sent_at);
  CHECK(e.request_sent_at <= e.response_started_at);
  CHECK(e.response_started_at <= e.ended_at);
}

// What must not change when the same traffic is captured differently.
std::vector<std::string> summaries(const std::vector<StoredExchange>& rows) {
  std::vector<std::string> out;
  for (const auto& e : rows)
    out.push_back(e.method + " " + e.url + " -> " + std::to_string(e.status) + " request body " +
                  e.req_body_hash.substr(0, 16) + " response body " + e.resp_body_hash.substr(0, 16) + " " +
                  e.client_addr + " -> " + e.server_addr + (e.error.empty() ? "" : " error: " + e.error));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("pcap loopback: every exchange of a real capture is stored as the clients made it", "[pcap][loopback]") {
  if (skipped_without_capture()) return;
  const CapturedTraffic& t = captured_traffic();
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  const auto rows = import_capture(t.pcap, db);
  CHECK(rows.size() == request_count(t.plan));
  std::map<std::string, const StoredExchange*> by_url;
  for (const auto& e : rows) by_url[e.method + " " + e.url] = &e;

  const std::string server = "127.0.0.1:" + std::to_string(t.server_port);
  for (std::size_t c = 0; c < t.plan.size(); ++c) {
    const StoredExchange* previous = nullptr;
    for (const auto& r : t.plan[c].requests) {
      const std::string key = r.method + " http://" + server + r.target;
      INFO("connection " << c << ": " << key);
      const auto found = by_url.find(key);
      if (found == by_url.end()) {
        FAIL_CHECK("no exchange stored");
        continue;
      }
      const StoredExchange& e = *found->second;
      check_exchange(e, r, "127.0.0.1:" + std::to_string(t.client_ports[c]), server);
      if (previous) {  // the server answers a connection's requests one after the other
        CHECK(previous->started_at <= e.started_at);
        CHECK(previous->ended_at <= e.response_started_at);
      }
      previous = &e;
    }
  }

  SQLite::Database database(db, SQLite::OPEN_READONLY);
  SQLite::Statement session(database, "SELECT source, exchange_count, error_count FROM sessions");
  REQUIRE(session.executeStep());
  CHECK(session.getColumn(0).getString() == "pcap");
  CHECK(session.getColumn(1).getInt64() == static_cast<std::int64_t>(rows.size()));
  CHECK(session.getColumn(2).getInt64() == 0);
}

TEST_CASE("pcap loopback: reordered, retransmitted and overlapping segments give the same exchanges",
          "[pcap][loopback]") {
  if (skipped_without_capture()) return;
  const CapturedTraffic& t = captured_traffic();
  test::TempDir dir;
  const auto expected = summaries(import_capture(t.pcap, dir.file("original.db")));
  REQUIRE(expected.size() == request_count(t.plan));

  const test::PcapFile original = test::read_pcap(t.pcap);
  const std::vector<std::pair<std::string, test::PcapFile>> variants{
      {"reordered", test::reorder_nearby(original, 8, 1)},
      {"duplicated", test::duplicate_segments(original, 5)},
      {"overlapping", test::split_overlapping(original, 7)},
      {"all-three", test::reorder_nearby(test::duplicate_segments(test::split_overlapping(original, 7), 5), 8, 2)}};
  for (const auto& [name, file] : variants) {
    INFO(name);
    REQUIRE(file.packets != original.packets);  // the rewrite changed something
    const std::string pcap = dir.file(name + ".pcap");
    test::write_pcap(pcap, file);
    CHECK(summaries(import_capture(pcap, dir.file(name + ".db"))) == expected);
  }
}
