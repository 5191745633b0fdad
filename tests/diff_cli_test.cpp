// `trafficdb diff`, `stats --by endpoint` and `--endpoint` through the binary,
// on a store imported from a HAR file made here.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using namespace trafficdb;
using nlohmann::json;

namespace {

json entry(const std::string& method, const std::string& path, int status, const std::string& body,
           const json& response_headers) {
  return {{"startedDateTime", "2026-01-15T10:00:00.000Z"},
          {"time", 10},
          {"request", {{"method", method}, {"url", "https://api.example.com" + path}, {"httpVersion", "HTTP/1.1"},
                       {"headers", json::array({{{"name", "Authorization"}, {"value", "Bearer s3cret-" + path}}})}}},
          {"response", {{"status", status}, {"statusText", "OK"}, {"headers", response_headers},
                        {"content", {{"size", body.size()}, {"mimeType", "application/json"}, {"text", body}}}}}};
}

// 1 GET /users/1   200 {"name":"Ada","plan":"pro"}
// 2 GET /users/2   404 {"name":"Bob"}         (Server differs, Date differs)
// 3 GET /users/3   200
// 4 POST /users/3/orders/9f8e2a6e-1b2c-4d5e-8f90-123456789abc 201
std::string make_store(const test::TempDir& dir) {
  const json h1 = json::array({{{"name", "Date"}, {"value", "Mon"}}, {{"name", "Server"}, {"value", "a"}}});
  const json h2 = json::array({{{"name", "date"}, {"value", "Tue"}}, {{"name", "Server"}, {"value", "b"}}});
  const std::vector<json> entries = {
      entry("GET", "/users/1", 200, "{\"name\":\"Ada\",\"plan\":\"pro\"}", h1),
      entry("GET", "/users/2", 404, "{\"name\":\"Bob\"}", h2),
      entry("GET", "/users/3", 200, "{}", h1),
      entry("POST", "/users/3/orders/9f8e2a6e-1b2c-4d5e-8f90-123456789abc", 201, "{}", h1)};
  const std::string har = dir.file("t.har");
  test::write_file(har, json{{"log", {{"version", "1.2"}, {"entries", entries}}}}.dump());
  const std::string db = dir.file("t.db");
  auto r = test::run_trafficdb({"--db", db, "import", har});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return db;
}

}  // namespace

TEST_CASE("trafficdb diff shows request line, status, headers and JSON paths; --json is the structure", "[cli][diff]") {
  test::TempDir dir;
  const std::string db = make_store(dir);
  auto r = test::run_trafficdb({"--db", db, "diff", "1", "2"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("diff #1 #2\n") == 0);
  CHECK(r.out.find("- https://api.example.com/users/1\n+ https://api.example.com/users/2\n") != std::string::npos);
  CHECK(r.out.find("status\n- 200\n+ 404\n") != std::string::npos);
  CHECK(r.out.find("- Server: a\n+ Server: b\n") != std::string::npos);
  CHECK(r.out.find("~ $.name: \"Ada\" -> \"Bob\"\n") != std::string::npos);
  CHECK(r.out.find("- $.plan = \"pro\"\n") != std::string::npos);
  CHECK(r.out.find("Date") == std::string::npos);  // volatile: not compared
  CHECK(r.out.find("s3cret") == std::string::npos);  // masked

  auto j = test::run_trafficdb({"--db", db, "diff", "1", "2", "--json", "--ignore-header", "server", "--no-redact"});
  REQUIRE(j.exit_code == 0);
  const json d = json::parse(j.out);
  CHECK(d["a"]["id"] == 1);
  CHECK(d["response"]["headers"]["changed"].empty());
  CHECK(d["ignored_headers"] == json({"date", "server"}));
  CHECK(d["request"]["headers"]["changed"][0]["b"] == "Bearer s3cret-/users/2");

  auto all = test::run_trafficdb({"--db", db, "diff", "1", "2", "--all-headers"});
  REQUIRE(all.exit_code == 0);
  CHECK(all.out.find("- Date: Mon\n+ Date: Tue\n") != std::string::npos);

  auto same = test::run_trafficdb({"--db", db, "diff", "1", "1"});
  REQUIRE(same.exit_code == 0);
  CHECK(same.out.find("no differences") != std::string::npos);
}

TEST_CASE("trafficdb diff: unknown ids and bad arguments are clear errors", "[cli][diff][hostile]") {
  test::TempDir dir;
  const std::string db = make_store(dir);
  auto missing = test::run_trafficdb({"--db", db, "diff", "1", "77"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("no exchange with id 77") != std::string::npos);
  CHECK(test::run_trafficdb({"--db", db, "diff", "1"}).exit_code == 1);
  CHECK(test::run_trafficdb({"--db", db, "diff", "1", "x"}).exit_code == 1);
  auto help = test::run_trafficdb({"diff", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--ignore-header") != std::string::npos);
  CHECK(help.out.find("x-request-id") != std::string::npos);
}

TEST_CASE("stats --by endpoint groups by method and path template; --endpoint filters", "[cli][path_template]") {
  test::TempDir dir;
  const std::string db = make_store(dir);
  auto r = test::run_trafficdb({"--db", db, "stats", "--by", "endpoint", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json s = json::parse(r.out);
  CHECK(s["group_by"] == "endpoint");
  REQUIRE(s["items"].size() == 2);
  CHECK(s["items"][0]["key"] == "GET /users/{id}");
  CHECK(s["items"][0]["count"] == 3);
  CHECK(s["items"][1]["key"] == "POST /users/{id}/orders/{uuid}");

  auto table = test::run_trafficdb({"--db", db, "stats", "--by", "endpoint"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("GET /users/{id}") != std::string::npos);

  auto q = test::run_trafficdb({"--db", db, "stats", "--by", "status", "--endpoint", "GET /users/{id}", "--json"});
  REQUIRE(q.exit_code == 0);
  CHECK(json::parse(q.out)["total"] == 3);
  auto bad = test::run_trafficdb({"--db", db, "stats", "--endpoint", "users"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("--endpoint") != std::string::npos);
}

TEST_CASE("trafficdb diff --sessions compares two sessions by endpoint", "[cli][diff][sessions]") {
  test::TempDir dir;
  const std::string db = make_store(dir);
  const std::string again = dir.file("t.har");  // the same file, a second session
  REQUIRE(test::run_trafficdb({"--db", db, "import", again}).exit_code == 0);
  auto same = test::run_trafficdb({"--db", db, "diff", "--sessions", "1", "2"});
  INFO(same.out << same.err);
  REQUIRE(same.exit_code == 0);
  CHECK(same.out.find("sessions 1 (-, 4 exchanges) and 2 (+, 4 exchanges)") != std::string::npos);
  CHECK(same.out.find("the same calls in the same order") != std::string::npos);
  CHECK(same.out.find("GET /users/{id}") != std::string::npos);
  auto j = test::run_trafficdb({"--db", db, "diff", "--sessions", "1", "2", "--json"});
  REQUIRE(j.exit_code == 0);
  CHECK(json::parse(j.out)["first_divergence"].is_null());
  auto missing = test::run_trafficdb({"--db", db, "diff", "--sessions", "1", "9"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("no session 9") != std::string::npos);
}
