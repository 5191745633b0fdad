#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "query/exchange_loader.h"
#include "query/har_export.h"
#include "query/query_database.h"
#include "recorder/har/har_reader.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;
using test::CollectingSink;

namespace {

std::string fill(const std::string& path) {
  auto writer = Writer::open(path);
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
  for (int i = 0; i < 12; ++i) {
    Exchange e = test::make_exchange(i, i % 4 == 1 ? std::string("\x00\x01\x02\xff binary", 11) : "{\"n\":" + std::to_string(i) + "}");
    e.request.headers.push_back({"Authorization", "Bearer secret-" + std::to_string(i)});
    if (i == 7) {
      e.response.reset();
      e.error = "connection reset by peer";
    }
    e.timings.request_sent = *e.timings.started + 300;
    if (e.response) e.timings.response_started = *e.timings.started + 2000;
    REQUIRE((*writer)->consume(session, std::move(e)).is_ok());
  }
  REQUIRE((*writer)->close().is_ok());
  return path;
}

}  // namespace

TEST_CASE("HAR export re-imports to the same exchanges", "[har-export]") {
  test::TempDir dir;
  const std::string path = fill(dir.file("t.db"));
  auto db = open_query_database(path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  std::stringstream har;
  HarExportOptions options;
  options.redact = false;
  auto written = export_har(**db, {}, har, options);
  REQUIRE(written.is_ok());
  CHECK(*written == 12);
  const std::string text = har.str();
  REQUIRE_NOTHROW(nlohmann::json::parse(text));  // valid JSON

  BoundedJsonInput input(std::string_view(text), 1 << 20);
  CollectingSink sink;
  const ImportReport report = read_har(input, sink, {});
  INFO((report.problems.empty() ? std::string() : report.problems[0].message));
  CHECK(report.clean());
  REQUIRE(sink.exchanges.size() == 12);
  for (std::size_t i = 0; i < 12; ++i) {
    auto stored = load_exchange(**db, static_cast<std::int64_t>(i + 1));
    REQUIRE(stored.is_ok());
    const Exchange& a = (*stored)->exchange;
    const Exchange& b = sink.exchanges[i];
    INFO("exchange " << i + 1);
    CHECK(a.request.method == b.request.method);
    CHECK(a.request.url == b.request.url);
    CHECK(a.request.headers == b.request.headers);
    CHECK(a.request.body.data == b.request.body.data);
    CHECK(a.timings.started == b.timings.started);
    CHECK(a.timings.ended == b.timings.ended);
    CHECK(a.server_addr == b.server_addr);
    REQUIRE(a.response.has_value() == b.response.has_value());
    if (a.response) {
      CHECK(a.response->status == b.response->status);
      CHECK(a.response->headers == b.response->headers);
      CHECK(a.response->body.data == b.response->body.data);
    } else {
      CHECK(b.error == a.error);
    }
  }
}

TEST_CASE("HAR export redacts by default and honours filters", "[har-export][redaction]") {
  test::TempDir dir;
  const std::string path = fill(dir.file("t.db"));
  auto db = open_query_database(path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  std::stringstream har;
  ExchangeFilter errors;
  errors.statuses = {{500, 599}};
  auto written = export_har(**db, errors, har, {});
  REQUIRE(written.is_ok());
  CHECK(*written == 1);  // make_exchange gives a 500 to n % 10 == 9
  CHECK(har.str().find("secret-") == std::string::npos);
  CHECK(har.str().find("Bearer [REDACTED]") != std::string::npos);
}

TEST_CASE("CLI export, query, show, stats, read and index give their output and exit statuses", "[cli][har-export]") {
  test::TempDir dir;
  const std::string db = fill(dir.file("t.db"));
  auto exp = test::run_trafficdb({"--db", db, "export", "har", "--out", dir.file("out.har"), "--no-redact"});
  INFO(exp.err);
  REQUIRE(exp.exit_code == 0);
  CHECK(test::run_trafficdb({"--db", db, "export", "har", "--out", dir.file("out.har")}).exit_code == 1);  // exists
  auto imported = test::run_trafficdb({"--db", dir.file("back.db"), "import", dir.file("out.har")});
  CHECK(imported.exit_code == 0);
  CHECK(imported.out.find("12 exchanges stored") != std::string::npos);

  auto q = test::run_trafficdb({"--db", db, "query", "--status", "5xx", "--json", "--count"});
  REQUIRE(q.exit_code == 0);
  const auto page = nlohmann::json::parse(q.out);
  CHECK(page["items"].size() == 1);
  CHECK(page["matched"] == 1);
  CHECK(test::run_trafficdb({"--db", db, "query", "--status", "5yy"}).exit_code == 1);
  CHECK(test::run_trafficdb({"--db", db, "query", "--url-regex", "(unclosed"}).exit_code == 1);

  auto show = test::run_trafficdb({"--db", db, "show", "3"});
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find("Bearer [REDACTED]") != std::string::npos);
  CHECK(test::run_trafficdb({"--db", db, "show", "999"}).exit_code == 2);
  auto curl = test::run_trafficdb({"--db", db, "show", "4", "--curl", "--no-redact"});  // make_exchange(3): a POST
  CHECK(curl.out.rfind("curl -X 'POST' 'https://api3.example.com/v1/items/3?page=3'", 0) == 0);
  CHECK(curl.out.find("--data-raw '{\"n\":3}'") != std::string::npos);

  auto stats = test::run_trafficdb({"--db", db, "stats", "--by", "host", "--json"});
  REQUIRE(stats.exit_code == 0);
  CHECK(nlohmann::json::parse(stats.out)["total"] == 12);

  auto r1 = test::run_trafficdb({"--db", db, "read", "--consumer", "cli", "--limit", "10"});
  auto r2 = test::run_trafficdb({"--db", db, "read", "--consumer", "cli", "--limit", "10"});
  REQUIRE(r1.exit_code == 0);
  CHECK(nlohmann::json::parse(r1.out)["items"].size() == 10);
  CHECK(nlohmann::json::parse(r2.out)["items"].size() == 2);

  auto index = test::run_trafficdb({"--db", db, "index"});
  CHECK(index.exit_code == 0);
  CHECK(index.out.find("up to date") != std::string::npos);
}

TEST_CASE("Secrets in bodies are masked by show, show --curl and export har, unless --no-redact", "[har-export][redaction]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  {
    auto writer = Writer::open(db);
    REQUIRE(writer.is_ok());
    const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
    Exchange e = test::make_exchange(3, R"({"access_token":"tok-RESPONSE-123","expires_in":3600})");
    e.request.body.data = R"({"user":"ann","password":"hunter2-REQUEST"})";
    e.request.body.size = static_cast<std::int64_t>(e.request.body.data.size());
    e.request.headers.push_back({"Content-Type", "application/json"});
    REQUIRE((*writer)->consume(session, std::move(e)).is_ok());
    REQUIRE((*writer)->close().is_ok());
  }
  const auto show = test::run_trafficdb({"--db", db, "show", "1"});
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find("hunter2-REQUEST") == std::string::npos);
  CHECK(show.out.find("tok-RESPONSE-123") == std::string::npos);
  CHECK(show.out.find(R"("password":"[REDACTED]")") != std::string::npos);
  const auto json_show = nlohmann::json::parse(test::run_trafficdb({"--db", db, "show", "1", "--json"}).out);
  CHECK(json_show["response"]["body"]["redacted"] == 1);
  CHECK(json_show["response"]["body"]["text"].get<std::string>().find("[REDACTED]") != std::string::npos);
  const auto plain = test::run_trafficdb({"--db", db, "show", "1", "--no-redact"});
  CHECK(plain.out.find("hunter2-REQUEST") != std::string::npos);
  CHECK(plain.out.find("tok-RESPONSE-123") != std::string::npos);

  const auto curl = test::run_trafficdb({"--db", db, "show", "1", "--curl"});
  CHECK(curl.out.find("hunter2-REQUEST") == std::string::npos);
  CHECK(curl.out.find("[REDACTED]") != std::string::npos);

  REQUIRE(test::run_trafficdb({"--db", db, "export", "har", "--out", dir.file("masked.har")}).exit_code == 0);
  const std::string masked = test::read_file(dir.file("masked.har"));
  CHECK(masked.find("hunter2-REQUEST") == std::string::npos);
  CHECK(masked.find("tok-RESPONSE-123") == std::string::npos);
  REQUIRE(test::run_trafficdb({"--db", db, "export", "har", "--out", dir.file("clear.har"), "--no-redact"}).exit_code == 0);
  CHECK(test::read_file(dir.file("clear.har")).find("hunter2-REQUEST") != std::string::npos);
}

TEST_CASE("TRAFFICDB_REDACT adds names to mask: headers, query parameters, JSON keys", "[har-export][redaction]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  {
    auto writer = Writer::open(db);
    REQUIRE(writer.is_ok());
    const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
    Exchange e = test::make_exchange(1, R"({"ssn":"123-45-6789","name":"Ann"})");
    e.request.headers.push_back({"X-Internal-Id", "internal-777"});
    REQUIRE((*writer)->consume(session, std::move(e)).is_ok());
    REQUIRE((*writer)->close().is_ok());
  }
  const auto plain = test::run_trafficdb({"--db", db, "show", "1"});
  CHECK(plain.out.find("123-45-6789") != std::string::npos);  // not a secret by default
  CHECK(plain.out.find("internal-777") != std::string::npos);
  const auto masked = test::run_trafficdb({"--db", db, "show", "1"}, {"TRAFFICDB_REDACT=ssn, X-Internal-Id"});
  CHECK(masked.out.find("123-45-6789") == std::string::npos);
  CHECK(masked.out.find("internal-777") == std::string::npos);
  CHECK(masked.out.find("Ann") != std::string::npos);
  CHECK(test::run_trafficdb({"--db", db, "show", "1", "--no-redact"}, {"TRAFFICDB_REDACT=ssn"}).out.find("123-45-6789") !=
        std::string::npos);
}
