// Replaying stored exchanges (recorder/replay, ingest/replay_exchange, the
// `trafficdb replay` command) against real servers on loopback: the test
// HTTP server (plain HTTP: headers, bodies, slow and large answers) and
// nginx over TLS with a self-signed certificate. The stored exchanges come
// from importing HAR files that point at those servers.
#include <catch2/catch.hpp>

#include <chrono>

#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

#include "ingest/import_file.h"
#include "ingest/replay_exchange.h"
#include "query/exchange_loader.h"
#include "query/query_database.h"
#include "tests/http_test_server.h"
#include "tests/nginx_server.h"
#include "tests/test_support.h"

using namespace trafficdb;
using json = nlohmann::json;

namespace {

struct HarRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Imports a HAR file holding `request` (with a stored 200 response) and
// returns the stored exchange's id.
std::int64_t import_request(const test::TempDir& dir, const std::string& db, const std::string& method,
                            const std::string& url,
                            const std::vector<std::pair<std::string, std::string>>& headers = {},
                            const std::string& body = "") {
  const HarRequest request{method, url, headers, body};
  json har_headers = json::array();
  for (const auto& [name, value] : request.headers) har_headers.push_back({{"name", name}, {"value", value}});
  json req = {{"method", request.method}, {"url", request.url},   {"httpVersion", "HTTP/1.1"},
              {"headers", har_headers},   {"queryString", json::array()}, {"cookies", json::array()},
              {"headersSize", -1},        {"bodySize", request.body.size()}};
  if (!request.body.empty()) req["postData"] = {{"mimeType", "text/plain"}, {"text", request.body}};
  const json har = {
      {"log",
       {{"version", "1.2"},
        {"creator", {{"name", "replay_test"}, {"version", "1"}}},
        {"entries",
         {{{"startedDateTime", "2026-01-01T00:00:00Z"},
           {"time", 1},
           {"request", req},
           {"response",
            {{"status", 200}, {"statusText", "OK"}, {"httpVersion", "HTTP/1.1"}, {"headers", json::array()},
             {"cookies", json::array()}, {"content", {{"size", 2}, {"mimeType", "text/plain"}, {"text", "ok"}}},
             {"redirectURL", ""}, {"headersSize", -1}, {"bodySize", 2}}},
           {"cache", json::object()},
           {"timings", {{"send", 0}, {"wait", 1}, {"receive", 0}}}}}}}}};
  const std::string path = dir.file("capture" + std::to_string(std::rand()) + ".har");
  test::write_file(path, har.dump());
  auto imported = import_file(db, path, FileImportOptions{});
  REQUIRE(imported.is_ok());
  REQUIRE(imported->session_id > 0);
  auto qdb = open_query_database(db, OpenMode::read_only);
  REQUIRE(qdb.is_ok());
  SQLite::Statement st(**qdb, "SELECT max(id) FROM exchanges WHERE session_id = ?");
  st.bind(1, static_cast<std::int64_t>(imported->session_id));
  REQUIRE(st.executeStep());
  return st.getColumn(0).getInt64();
}

StoredExchange load(const std::string& db, std::int64_t id) {
  auto qdb = open_query_database(db, OpenMode::read_only);
  REQUIRE(qdb.is_ok());
  auto loaded = load_exchange(**qdb, id, 0);
  REQUIRE(loaded.is_ok());
  REQUIRE(loaded->has_value());
  return std::move(**loaded);
}

Result<ReplayOutcome> replay(const std::string& db, std::int64_t id, const ReplayOptions& options) {
  return replay_exchange(db, id, load(db, id).exchange, options);
}

std::int64_t session_count(const std::string& db) {
  auto qdb = open_query_database(db, OpenMode::read_only);
  REQUIRE(qdb.is_ok());
  return (*qdb)->execAndGet("SELECT count(*) FROM sessions").getInt64();
}

std::string local_url(const test::HttpTestServer& server, const std::string& target) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + target;
}

}  // namespace

TEST_CASE("replay_request: what belonged to the original connection goes, changes apply", "[replay]") {
  Request stored;
  stored.method = "GET";
  stored.url = "https://api.example.com/items?page=1";
  stored.scheme = "https";
  stored.host = "api.example.com";
  stored.port = 443;
  stored.http_version = "HTTP/2";
  stored.headers = {{":authority", "api.example.com"}, {":path", "/items?page=1"}, {"accept", "*/*"},
                    {"cookie", "a=1"},                 {"cookie", "b=2"},          {"te", "trailers"},
                    {"x-drop", "1"},                   {"content-length", "99"}};
  ReplayChanges changes;
  changes.set_headers = {{"Accept", "application/json"}};
  changes.remove_headers = {"X-DROP"};
  auto request = replay_request(stored, changes);
  REQUIRE(request.is_ok());
  CHECK(request->http_version == "HTTP/1.1");
  CHECK(request->headers == Headers{{"Host", "api.example.com"}, {"Cookie", "a=1; b=2"}, {"Accept", "application/json"}});

  SECTION("a decoded stored body is sent without its Content-Encoding; a cut one needs a body") {
    stored.method = "POST";
    stored.headers = {{"Content-Encoding", "gzip"}, {"Content-Type", "application/json"}};
    stored.body.data = "{}";
    stored.body.encoding = "gzip";
    auto post = replay_request(stored, {});
    REQUIRE(post.is_ok());
    CHECK(post->headers == Headers{{"Host", "api.example.com"}, {"Content-Type", "application/json"},
                                   {"Content-Length", "2"}});
    stored.body.size = 10;
    auto cut = replay_request(stored, {});
    REQUIRE_FALSE(cut.is_ok());
    CHECK_THAT(cut.status().message(), Catch::Contains("incomplete (2 of 10 bytes"));
    ReplayChanges body;
    body.body = "{\"a\":1}";
    auto given = replay_request(stored, body);
    REQUIRE(given.is_ok());
    CHECK(find_header(given->headers, "content-length") == "7");
    CHECK(find_header(given->headers, "content-encoding") == std::nullopt);
  }
  SECTION("bad changes are refused") {
    ReplayChanges bad;
    bad.url = "ftp://example.com/";
    CHECK_THAT(replay_request(stored, bad).status().message(), Catch::Contains("only absolute http:// and https://"));
    bad.url.reset();
    bad.method = "GE T";
    CHECK_THAT(replay_request(stored, bad).status().message(), Catch::Contains("not an HTTP method"));
    CHECK_FALSE(parse_header_line("No colon").is_ok());
    CHECK_FALSE(parse_header_line("Bad Name: x").is_ok());
    CHECK(parse_header_line("X-A:  b, c ").value() == Header{"X-A", "b, c"});
  }
}

TEST_CASE("host patterns", "[replay]") {
  CHECK(host_matches("*", "anything.example"));
  CHECK(host_matches("*.example.com", "example.com"));
  CHECK(host_matches("*.example.com", "a.b.EXAMPLE.com"));
  CHECK_FALSE(host_matches("*.example.com", "badexample.com"));
  CHECK(host_matches("LocalHost", "localhost"));
  CHECK_FALSE(host_matches("localhost", "localhost.evil"));
}

TEST_CASE("replay over HTTP: headers and body changed, stored in a replay session linked to the original",
          "[replay]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  test::HttpTestServer server;
  const std::int64_t original = import_request(
      dir, db,
      "GET", local_url(server, "/headers"), {{"X-Original", "1"}, {"X-Removed", "2"}, {"Connection", "keep-alive"}});

  ReplayOptions options;
  options.changes.set_headers = {{"X-Added", "yes"}};
  options.changes.remove_headers = {"x-removed"};
  auto outcome = replay(db, original, options);
  REQUIRE(outcome.is_ok());
  CHECK(outcome->error.empty());
  CHECK(outcome->exchange_id > original);

  const StoredExchange replayed = load(db, outcome->exchange_id);
  CHECK(replayed.session_id == outcome->session_id);
  REQUIRE(replayed.exchange.response);
  CHECK(replayed.exchange.response->status == 200);
  const std::string seen = replayed.exchange.response->body.data;  // what the server got
  CHECK_THAT(seen, Catch::Contains("X-Original: 1\n"));
  CHECK_THAT(seen, Catch::Contains("X-Added: yes\n"));
  CHECK_THAT(seen, !Catch::Contains("X-Removed"));
  CHECK_THAT(seen, !Catch::Contains("keep-alive"));
  // The request stored is the one sent, with what the HTTP library added.
  CHECK(find_header(replayed.exchange.request.headers, "x-added") == "yes");
  CHECK(find_header(replayed.exchange.request.headers, "connection") == "close");
  CHECK(find_header(replayed.exchange.request.headers, "x-removed") == std::nullopt);
  CHECK(json::parse(replayed.exchange.details) == json{{"replay_of", original}, {"changed", {"headers"}}});

  auto qdb = open_query_database(db, OpenMode::read_only);
  REQUIRE(qdb.is_ok());
  SQLite::Statement st(**qdb, "SELECT source, status, exchange_count, json_extract(options, '$.replay_of'), "
                              "source_uri FROM sessions WHERE id = ?");
  st.bind(1, static_cast<std::int64_t>(outcome->session_id));
  REQUIRE(st.executeStep());
  CHECK(st.getColumn(0).getString() == "replay");
  CHECK(st.getColumn(1).getString() == "stopped");
  CHECK(st.getColumn(2).getInt64() == 1);
  CHECK(st.getColumn(3).getInt64() == original);
  CHECK(st.getColumn(4).getString() == local_url(server, "/headers"));

  SECTION("a compressed answer is stored decoded, with its encoding") {
    ReplayOptions to_gzip;
    to_gzip.changes.url = local_url(server, "/gzip?n=3");
    auto gz = replay(db, original, to_gzip);
    REQUIRE(gz.is_ok());
    const StoredExchange e = load(db, gz->exchange_id);
    REQUIRE(e.exchange.response);
    CHECK(e.exchange.response->body.data == test::gzip_body(3));
    CHECK(e.exchange.response->body.encoding == "gzip");
  }
}

TEST_CASE("replay refuses unconfirmed methods and other hosts, and stores nothing then", "[replay]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  test::HttpTestServer server;
  const std::int64_t post = import_request(dir, db, "POST", local_url(server, "/echo"), {}, "stored body");
  const std::int64_t sessions = session_count(db);

  ReplayOptions options;
  options.confirm_hint = "--confirm";
  auto refused = replay(db, post, options);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == Status::Code::invalid_input);
  CHECK_THAT(refused.status().message(), Catch::Contains("POST may change something") && Catch::Contains("--confirm"));

  ReplayOptions elsewhere;
  elsewhere.changes.method = "GET";
  elsewhere.changes.url = "http://localhost:" + std::to_string(server.port()) + "/headers";
  auto other_host = replay(db, post, elsewhere);
  REQUIRE_FALSE(other_host.is_ok());
  CHECK_THAT(other_host.status().message(), Catch::Contains("only to the original's origin"));
  elsewhere.changes.url = "http://127.0.0.1:" + std::to_string(test::free_port()) + "/headers";
  CHECK_FALSE(replay(db, post, elsewhere).is_ok());  // another port is another origin
  CHECK(session_count(db) == sessions);

  SECTION("confirmed, the stored body is sent, or the one given") {
    options.policy.confirmed = true;
    auto sent = replay(db, post, options);
    REQUIRE(sent.is_ok());
    CHECK(load(db, sent->exchange_id).exchange.response->body.data == "stored body");
    options.changes.body = std::string("new\0body", 8);
    auto changed = replay(db, post, options);
    REQUIRE(changed.is_ok());
    const StoredExchange e = load(db, changed->exchange_id);
    CHECK(e.exchange.response->body.data == std::string("new\0body", 8));
    CHECK(find_header(e.exchange.request.headers, "content-length") == "8");
  }
  SECTION("an allowed host is sent to") {
    elsewhere.changes.url = "http://localhost:" + std::to_string(server.port()) + "/headers";
    elsewhere.policy.allowed_hosts = {"localhost"};
    auto allowed = replay(db, post, elsewhere);
    REQUIRE(allowed.is_ok());
    CHECK(load(db, allowed->exchange_id).exchange.response->status == 200);
  }
}

TEST_CASE("replay is bounded: a slow server times out, a large body is cut at the cap, a closed port is an error",
          "[replay]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  test::HttpTestServer server;
  const std::int64_t original = import_request(dir, db, "GET", local_url(server, "/json?n=1"));

  ReplayOptions slow;
  slow.changes.url = local_url(server, "/slow?ms=2500");
  slow.send.timeout = std::chrono::milliseconds(500);
  const auto started = std::chrono::steady_clock::now();
  auto timed_out = replay(db, original, slow);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  REQUIRE(timed_out.is_ok());
  CHECK_THAT(timed_out->error, Catch::Contains("no complete response") && Catch::Contains("0.5 s"));
  const StoredExchange late = load(db, timed_out->exchange_id);
  CHECK_FALSE(late.exchange.response);
  CHECK(late.exchange.error == timed_out->error);

  ReplayOptions large;
  large.changes.url = local_url(server, "/large");
  large.send.max_body_bytes = 1 << 20;
  auto cut = replay(db, original, large);
  REQUIRE(cut.is_ok());
  const StoredExchange big = load(db, cut->exchange_id);
  REQUIRE(big.exchange.response);
  CHECK(big.exchange.response->body.data == test::large_body().substr(0, 1 << 20));
  CHECK(big.exchange.response->body.size == static_cast<std::int64_t>(test::large_body().size()));

  ReplayOptions closed;
  closed.changes.url = "http://127.0.0.1:" + std::to_string(test::free_port()) + "/";
  closed.policy.allowed_hosts = {"127.0.0.1"};
  auto refused = replay(db, original, closed);
  REQUIRE(refused.is_ok());
  CHECK_THAT(refused->error, Catch::StartsWith("cannot connect to http://127.0.0.1:"));
}

TEST_CASE("replay over HTTPS verifies the certificate unless told not to", "[replay][nginx]") {
  if (std::string why = test::nginx_unavailable(); !why.empty()) return test::skip_test(why);
  test::NginxServer nginx;
  nginx.put_file("hello.txt", "hello over TLS\n");
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  const std::int64_t original = import_request(dir, db, "GET", nginx.https_url("/hello.txt"));

  auto verified = replay(db, original, ReplayOptions{});
  REQUIRE(verified.is_ok());
  CHECK_THAT(verified->error, Catch::Contains("could not be verified"));
  CHECK_FALSE(load(db, verified->exchange_id).exchange.response);

  ReplayOptions insecure;
  insecure.send.verify_tls = false;
  auto unverified = replay(db, original, insecure);
  REQUIRE(unverified.is_ok());
  CHECK(unverified->error.empty());
  const StoredExchange e = load(db, unverified->exchange_id);
  REQUIRE(e.exchange.response);
  CHECK(e.exchange.response->status == 200);
  CHECK(e.exchange.response->body.data == "hello over TLS\n");
  CHECK(e.exchange.request.scheme == "https");
}

TEST_CASE("trafficdb replay: prints the new exchange; refusals and failures have their exit status", "[replay][cli]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  test::HttpTestServer server;
  const std::int64_t get = import_request(dir, db, "GET", local_url(server, "/headers"), {{"Authorization", "Bearer s3cret"}});
  const std::string id = std::to_string(get);

  auto ok = test::run_trafficdb({"--db", db, "replay", id, "--set-header", "X-Cli: 1"});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("replay of #" + id) && Catch::Contains("200 OK") &&
                         Catch::Contains("X-Cli: 1") && Catch::Contains("Authorization: Bearer [REDACTED]\n"));

  auto unconfirmed = test::run_trafficdb({"--db", db, "replay", id, "--method", "DELETE"});
  CHECK(unconfirmed.exit_code == 1);
  CHECK_THAT(unconfirmed.err, Catch::Contains("needs --confirm"));

  auto other = test::run_trafficdb({"--db", db, "replay", id, "--url", "http://localhost:" + std::to_string(server.port()) + "/"});
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.err, Catch::Contains("--allow-host"));

  auto slow = test::run_trafficdb({"--db", db, "replay", id, "--url", local_url(server, "/slow?ms=2500"), "--timeout", "1", "--json"});
  CHECK(slow.exit_code == 3);
  CHECK(json::parse(slow.out).at("error").get<std::string>().find("no complete response") != std::string::npos);
}
