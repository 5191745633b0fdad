#include <zlib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "recorder/har/har_reader.h"
#include "tests/test_support.h"

using namespace trafficdb;
using test::CollectingSink;
using test::gzip;
using nlohmann::json;

namespace {

ImportReport read_text(const std::string& text, CollectingSink& sink, HarReaderOptions options = {}) {
  BoundedJsonInput input(std::string_view(text), har_max_string_bytes(options));
  return read_har(input, sink, options);
}

json entry(const std::string& method, const std::string& url) {
  return {{"startedDateTime", "2026-01-15T10:00:00.000Z"},
          {"time", 50},
          {"request", {{"method", method}, {"url", url}, {"httpVersion", "HTTP/1.1"}, {"headers", json::array()},
                       {"bodySize", 0}}},
          {"response", {{"status", 200}, {"statusText", "OK"}, {"httpVersion", "HTTP/1.1"},
                        {"headers", json::array()}, {"content", {{"size", 0}, {"mimeType", "text/plain"}}},
                        {"bodySize", 0}}},
          {"timings", {{"send", 1}, {"wait", 40}, {"receive", 9}}}};
}

std::string har(const json& entries) {
  return json{{"log", {{"version", "1.2"}, {"creator", {{"name", "test"}}}, {"entries", entries}}}}.dump();
}

}  // namespace

TEST_CASE("A HAR entry becomes a full exchange", "[har]") {
  json e = entry("POST", "https://API.example.com:8443/v1/login?next=%2Fhome");
  e["request"]["headers"] = {{{"name", "Content-Type"}, {"value", "application/json"}},
                             {{"name", "X-Dup"}, {"value", "1"}},
                             {{"name", "X-Dup"}, {"value", "2"}}};
  e["request"]["postData"] = {{"mimeType", "application/json"}, {"text", "{\"user\":\"ada\"}"}};
  e["request"]["bodySize"] = 14;
  e["response"]["headers"] = {{{"name", "Content-Type"}, {"value", "text/html; charset=utf-8"}}};
  e["response"]["content"] = {{"size", 5}, {"mimeType", "text/html"}, {"text", "hello"}};
  e["response"]["bodySize"] = 5;
  e["serverIPAddress"] = "2001:db8::1";
  e["timings"] = {{"blocked", 1}, {"dns", 2}, {"connect", 3}, {"ssl", -1}, {"send", 4}, {"wait", 30}, {"receive", 10}};
  e["_vendor"] = {{"anything", true}};

  CollectingSink sink;
  const ImportReport report = read_text(har(json::array({e})), sink);
  CHECK(report.clean());
  REQUIRE(sink.exchanges.size() == 1);
  const Exchange& x = sink.exchanges[0];
  CHECK(x.request.method == "POST");
  CHECK(x.request.scheme == "https");
  CHECK(x.request.host == "api.example.com");
  CHECK(x.request.port == 8443);
  CHECK(x.request.path == "/v1/login");
  CHECK(x.request.query == "next=%2Fhome");
  CHECK(x.request.headers.size() == 3);
  CHECK(x.request.headers[2] == Header{"X-Dup", "2"});
  CHECK(x.request.body.data == "{\"user\":\"ada\"}");
  CHECK(x.request.body.wire_size == 14);
  REQUIRE(x.response);
  CHECK(x.response->status == 200);
  CHECK(x.response->body.data == "hello");
  CHECK(x.response->body.decoded_size() == 5);
  CHECK(x.server_addr == "[2001:db8::1]:8443");
  const Micros start = 1768471200000000;
  CHECK(x.timings.started == start);
  CHECK(x.timings.request_sent == start + 10'000);       // blocked+dns+connect+send
  CHECK(x.timings.response_started == start + 40'000);   // + wait
  CHECK(x.timings.ended == start + 50'000);              // time
  CHECK(x.error.empty());
}

TEST_CASE("HAR bodies: base64, form params, still-gzipped content, missing text", "[har]") {
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  json binary = entry("GET", "https://cdn.example.com/logo.png");
  binary["response"]["content"] = {{"size", 16}, {"mimeType", "image/png"}, {"encoding", "base64"},
                                   {"text", base64_encode(png)}};

  json form = entry("POST", "https://example.com/form");
  form["request"]["postData"] = {{"mimeType", "application/x-www-form-urlencoded"},
                                 {"params", {{{"name", "a b"}, {"value", "1&2"}}, {{"name", "c"}, {"value", "é"}}}}};

  const std::string body = "{\"message\":\"hello gzipped world\",\"n\":42}";
  json gzipped = entry("GET", "https://example.com/gz");
  gzipped["response"]["headers"] = {{{"name", "Content-Encoding"}, {"value", "gzip"}}};
  gzipped["response"]["content"] = {{"size", 39}, {"encoding", "base64"}, {"text", base64_encode(gzip(body))}};

  json not_captured = entry("GET", "https://example.com/big");
  not_captured["response"]["content"] = {{"size", 123456}, {"mimeType", "video/mp4"}};

  CollectingSink sink;
  const ImportReport report = read_text(har(json::array({binary, form, gzipped, not_captured})), sink);
  CHECK(report.clean());
  REQUIRE(sink.exchanges.size() == 4);
  CHECK(sink.exchanges[0].response->body.data == png);
  CHECK(sink.exchanges[1].request.body.data == "a+b=1%262&c=%C3%A9");
  CHECK(sink.exchanges[2].response->body.data == body);
  CHECK(sink.exchanges[2].response->body.encoding == "gzip");
  CHECK(sink.exchanges[2].response->body.decoded_size() == static_cast<std::int64_t>(body.size()));
  CHECK_FALSE(sink.exchanges[3].response->body.captured);
  CHECK(sink.exchanges[3].response->body.decoded_size() == 123456);
}

TEST_CASE("Failed HAR entries are stored without a response, with the reason", "[har]") {
  json failed = entry("GET", "https://example.com/down");
  failed["response"] = {{"status", 0}, {"statusText", ""}, {"headers", json::array()},
                        {"_error", "net::ERR_CONNECTION_REFUSED"}};
  json no_response = entry("GET", "https://example.com/none");
  no_response.erase("response");
  CollectingSink sink;
  CHECK(read_text(har(json::array({failed, no_response})), sink).clean());
  REQUIRE(sink.exchanges.size() == 2);
  CHECK_FALSE(sink.exchanges[0].response);
  CHECK(sink.exchanges[0].error == "net::ERR_CONNECTION_REFUSED");
  CHECK_FALSE(sink.exchanges[1].response);
  CHECK_FALSE(sink.exchanges[1].error.empty());
}

TEST_CASE("Bad HAR entries are rejected by index and offset; the others are kept", "[har][hostile]") {
  json no_url = entry("GET", "x");
  no_url["request"].erase("url");
  json wrong_types = entry("GET", "https://example.com/a");
  wrong_types["request"]["method"] = 42;
  json bad_url = entry("GET", "not a url");
  json odd_fields = entry("GET", "https://example.com/b");
  odd_fields["response"]["status"] = "404";           // numeric string: accepted
  odd_fields["response"]["headers"] = "not a list";   // ignored, said
  odd_fields["startedDateTime"] = "yesterday";

  CollectingSink sink;
  const std::string text =
      har(json::array({entry("GET", "https://example.com/ok"), no_url, wrong_types, "a string", bad_url, odd_fields}));
  const ImportReport report = read_text(text, sink);
  CHECK(report.stored == 2);
  CHECK(report.rejected == 4);
  CHECK_FALSE(report.fatal);
  REQUIRE(sink.exchanges.size() == 2);
  CHECK(sink.exchanges[1].response->status == 404);
  CHECK_FALSE(sink.exchanges[1].timings.started);

  std::vector<std::string> rejected_where;
  for (const auto& p : report.problems)
    if (p.rejected) rejected_where.push_back(p.where);
  REQUIRE(rejected_where.size() == 4);
  CHECK(rejected_where[0].rfind("entry 1 (byte ", 0) == 0);
  CHECK(rejected_where[3].rfind("entry 4 (byte ", 0) == 0);
  // The byte offset points at the entry itself.
  const auto offset = std::stoull(rejected_where[0].substr(std::string("entry 1 (byte ").size()));
  CHECK(text.substr(offset, 1) == "{");
  bool said_url = false;
  for (const auto& p : report.problems) said_url |= p.message.find("request.url") != std::string::npos;
  CHECK(said_url);
}

TEST_CASE("Truncated HAR keeps the entries before the fault", "[har][hostile]") {
  const std::string full = har(json::array({entry("GET", "https://a.example/1"), entry("GET", "https://a.example/2"),
                                            entry("GET", "https://a.example/3")}));
  const std::string cut = full.substr(0, full.find("https://a.example/3") + 5);
  CollectingSink sink;
  const ImportReport report = read_text(cut, sink);
  CHECK(sink.exchanges.size() == 2);
  REQUIRE(report.fatal);
  CHECK(report.fatal->find("byte " + std::to_string(cut.size())) != std::string::npos);
  CHECK(report.fatal->find("entry 2") != std::string::npos);
}

TEST_CASE("Not HAR at all is said plainly", "[har][hostile]") {
  CollectingSink sink;
  ImportReport report = read_text(R"({"something":"else"})", sink);
  REQUIRE(report.fatal);
  CHECK(report.fatal->find("no log.entries") != std::string::npos);
  report = read_text("{\"log\": tru", sink);
  REQUIRE(report.fatal);
  CHECK(report.fatal->find("invalid JSON") != std::string::npos);
}

TEST_CASE("A 100 MB body string is cut at the body limit, in bounded memory", "[har][hostile]") {
  // The entry is kept with its body cut; the cut is reported with its position.
  HarReaderOptions options;
  options.max_body_bytes = 1 << 20;
  // Built by hand: nlohmann would take seconds to dump 100 MB.
  const std::size_t huge = 100u << 20;
  json e = entry("GET", "https://example.com/huge");
  e["response"]["content"] = {{"size", huge}, {"mimeType", "text/plain"}, {"text", "@"}};
  std::string text = har(json::array({e, entry("GET", "https://example.com/after")}));
  text.replace(text.find("\"@\""), 3, "\"" + std::string(huge, 'A') + "\"");
  CollectingSink sink;
  const ImportReport report = read_text(text, sink, options);
  REQUIRE(sink.exchanges.size() == 2);
  CHECK(sink.exchanges[0].response->body.data.size() <= har_max_string_bytes(options));
  CHECK(sink.exchanges[0].response->body.decoded_size() == static_cast<std::int64_t>(huge));
  REQUIRE(report.problem_count == 1);
  CHECK(report.problems[0].where.rfind("entry 0 (byte ", 0) == 0);
  CHECK(report.problems[0].message.find("cut") != std::string::npos);
  CHECK_FALSE(report.problems[0].rejected);

  // A 100 MB URL cannot be cut sensibly: that entry is rejected.
  std::string long_url = har(json::array({entry("GET", "https://example.com/@"), entry("GET", "https://example.com/ok")}));
  long_url.replace(long_url.find("/@"), 2, "/" + std::string(huge, 'p'));
  CollectingSink sink2;
  const ImportReport r2 = read_text(long_url, sink2, options);
  CHECK(sink2.exchanges.size() == 1);
  CHECK(r2.rejected == 1);
}

TEST_CASE("The shared Charles HAR sample imports whole", "[har][shared]") {
  const std::string dir = test::require_shared_samples();
  if (dir.empty()) return;
  auto input = BoundedJsonInput::open_file(dir + "/har/synthetic-charles.har", 1 << 20);
  REQUIRE(input.is_ok());
  CollectingSink sink;
  const ImportReport report = read_har(**input, sink, {});
  CHECK(report.clean());
  REQUIRE(sink.exchanges.size() == 5);
  CHECK(sink.exchanges[0].request.url == "https://api.example.com/v1/users?page=1");
  CHECK(sink.exchanges[0].response->headers.size() == 3);  // both Set-Cookie kept
  // Charles wrote this body still gzipped (H4sI...): it is stored decoded.
  CHECK(sink.exchanges[1].response->body.data == "{\"message\":\"hello gzipped world\",\"n\":42}");
  CHECK(sink.exchanges[1].request.http_version == "HTTP/2");
  CHECK(sink.exchanges[2].response->body.data.substr(1, 3) == "PNG");
  CHECK_FALSE(sink.exchanges[3].response);
  CHECK(sink.exchanges[4].response->status == 503);
  // Charles counts ssl apart from connect: time 53 = 1+2+3+0+45+2.
  CHECK(*sink.exchanges[0].timings.request_sent - *sink.exchanges[0].timings.started == 6000);
}

TEST_CASE("Deeply nested and node-heavy entries are skipped in bounded memory", "[har][hostile]") {
  // 100000 nested arrays inside one entry: skipped, the next entry kept.
  json deep = entry("GET", "https://example.com/deep");
  deep["_deep"] = "@";
  std::string text = har(json::array({deep, entry("GET", "https://example.com/ok")}));
  text.replace(text.find("\"@\""), 3, std::string(100000, '[') + std::string(100000, ']'));
  CollectingSink sink;
  ImportReport report = read_text(text, sink);
  REQUIRE(sink.exchanges.size() == 1);
  CHECK(sink.exchanges[0].request.path == "/ok");
  REQUIRE(report.rejected == 1);
  CHECK(report.problems[0].message.find("nested deeper") != std::string::npos);

  // Millions of empty objects cost far more as nodes than as text: counted.
  HarReaderOptions small;
  small.max_body_bytes = 1 << 20;  // entry limit about 20 MiB
  json wide = entry("GET", "https://example.com/wide");
  wide["_wide"] = "@";
  std::string many = "[";
  for (int i = 0; i < 1'000'000; ++i) many += i ? ",{}" : "{}";
  many += "]";
  text = har(json::array({wide, entry("GET", "https://example.com/ok")}));
  text.replace(text.find("\"@\""), 3, many);
  CollectingSink sink2;
  report = read_text(text, sink2, small);
  CHECK(sink2.exchanges.size() == 1);
  CHECK(report.rejected == 1);
}

TEST_CASE("A number thousands of digits long is refused, not buffered", "[har][hostile]") {
  std::string text = har(json::array({entry("GET", "https://example.com/a"), entry("GET", "https://example.com/b")}));
  text.replace(text.find("\"time\":50"), 9, "\"time\":" + std::string(1'000'000, '7'));
  CollectingSink sink;
  const ImportReport report = read_text(text, sink);
  REQUIRE(report.fatal);
  CHECK(report.fatal->find("longer than 4096") != std::string::npos);
  CHECK(report.fatal->size() < 500);
}

TEST_CASE("Absurd timings and status codes are ignored with a caveat, not stored", "[har][hostile]") {
  json e = entry("GET", "https://example.com/t");
  e["time"] = 9.223e15;
  e["timings"]["wait"] = 1e300;
  e["response"]["status"] = 3e9;
  CollectingSink sink;
  const ImportReport report = read_text(har(json::array({e})), sink);
  REQUIRE(sink.exchanges.size() == 1);
  CHECK_FALSE(sink.exchanges[0].timings.ended);
  CHECK_FALSE(sink.exchanges[0].response);
  CHECK(report.problem_count >= 2);
}

TEST_CASE("A gzip body cut short keeps what it held, with a caveat", "[har][hostile]") {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "line " + std::to_string(i) + "\n";
  const std::string gz = gzip(body);
  json e = entry("GET", "https://example.com/gz");
  e["response"]["headers"] = {{{"name", "Content-Encoding"}, {"value", "gzip"}}};
  e["response"]["content"] = {{"size", body.size()}, {"encoding", "base64"}, {"text", base64_encode(gz.substr(0, gz.size() - 12))}};
  CollectingSink sink;
  const ImportReport report = read_text(har(json::array({e})), sink);
  REQUIRE(sink.exchanges.size() == 1);
  const std::string& kept = sink.exchanges[0].response->body.data;
  CHECK(kept.size() > 1000);
  CHECK(body.compare(0, kept.size(), kept) == 0);  // decoded, not the gzip bytes
  REQUIRE(report.problem_count == 1);
  CHECK(report.problems[0].message.find("ends early") != std::string::npos);
}
