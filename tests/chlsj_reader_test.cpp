#include <zlib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "recorder/charles/chlsj_reader.h"
#include "recorder/har/har_reader.h"
#include "tests/test_support.h"
#include "tests/websocket_test_frames.h"

using namespace trafficdb;
using test::CollectingSink;
using test::gzip;
using nlohmann::json;

namespace {

ImportReport read_text(const std::string& text, CollectingSink& sink, CharlesConversionOptions options = {}) {
  BoundedJsonInput input(std::string_view(text), chlsj_max_string_bytes(options));
  return read_chlsj(input, sink, options);
}

json transaction(const std::string& path = "/v1/items") {
  return {{"status", "COMPLETE"},
          {"method", "GET"},
          {"protocolVersion", "HTTP/1.1"},
          {"scheme", "https"},
          {"host", "api.example.com"},
          {"port", nullptr},
          {"actualPort", 443},
          {"path", path},
          {"query", ""},
          {"remoteAddress", "api.example.com/203.0.113.10"},
          {"clientAddress", "/127.0.0.1"},
          {"clientPort", 50123},
          {"times", {{"start", "2024-03-11T10:42:03.369+08:00"}, {"requestBegin", "2024-03-11T10:42:03.370+08:00"},
                     {"requestComplete", "2024-03-11T10:42:03.371+08:00"},
                     {"responseBegin", "2024-03-11T10:42:03.400+08:00"}, {"end", "2024-03-11T10:42:03.420+08:00"}}},
          {"durations", {{"total", 51}, {"dns", -1}}},
          {"speeds", {{"overall", "22284"}}},
          {"totalSize", "1234"},
          {"request", {{"sizes", {{"headers", 80}, {"body", 0}}},
                       {"header", {{"firstLine", "GET " + path + " HTTP/1.1"},
                                   {"headers", {{{"name", "Host"}, {"value", "api.example.com"}}}}}}}},
          {"response", {{"status", 200},
                        {"sizes", {{"headers", 90}, {"body", 5}}},
                        {"header", {{"firstLine", "HTTP/1.1 200 OK"},
                                    {"headers", {{{"name", "Content-Type"}, {"value", "text/plain"}}}}}},
                        {"body", {{"text", "hello"}, {"charset", "utf-8"}}}}}};
}

}  // namespace

TEST_CASE("A Charles transaction becomes a full exchange", "[charles]") {
  CollectingSink sink;
  const ImportReport report = read_text(json::array({transaction()}).dump(), sink);
  CHECK(report.clean());
  REQUIRE(sink.exchanges.size() == 1);
  const Exchange& x = sink.exchanges[0];
  CHECK(x.request.url == "https://api.example.com/v1/items");
  CHECK_FALSE(x.request.query);  // "" means none in Charles
  CHECK(x.request.port == 443);
  CHECK(x.response->status == 200);
  CHECK(x.response->status_text == "OK");
  CHECK(x.response->body.data == "hello");
  CHECK(x.response->body.wire_size == 5);
  CHECK(x.client_addr == "127.0.0.1:50123");
  CHECK(x.server_addr == "203.0.113.10:443");
  CHECK(x.timings.started == parse_iso8601("2024-03-11T02:42:03.369Z"));
  CHECK(*x.timings.ended - *x.timings.started == 51000);
  CHECK(*x.timings.response_started - *x.timings.started == 31000);
  const json details = json::parse(x.details);
  CHECK(details["charles_status"] == "COMPLETE");
  CHECK(details["total_size"] == 1234);               // a string number read as a number
  CHECK_FALSE(details["durations_ms"].contains("dns"));  // -1: unknown, left out
}

TEST_CASE("Charles bodies: decoded text, base64 still gzipped, absent, HTTP/2 without firstLine", "[charles]") {
  const std::string body = "{\"message\":\"hello gzipped world\"}";
  json decoded = transaction("/decoded");
  decoded["response"]["contentEncoding"] = "gzip";
  decoded["response"]["body"] = {{"text", body}, {"decoded", true}};

  json base64 = transaction("/gz");
  base64["response"]["contentEncoding"] = "gzip";
  base64["response"]["body"] = {{"encoding", "base64"}, {"encoded", base64_encode(gzip(body))}};

  json absent = transaction("/empty");
  absent["response"].erase("body");
  absent["response"]["sizes"]["body"] = 0;

  json h2 = transaction("/h2");
  h2["protocolVersion"] = "HTTP/2";
  h2["response"]["header"].erase("firstLine");
  h2["response"]["status"] = "201";

  CollectingSink sink;
  CHECK(read_text(json::array({decoded, base64, absent, h2}).dump(), sink).clean());
  REQUIRE(sink.exchanges.size() == 4);
  CHECK(sink.exchanges[0].response->body.data == body);
  CHECK(sink.exchanges[0].response->body.encoding == "gzip");
  CHECK(sink.exchanges[1].response->body.data == body);
  CHECK(sink.exchanges[2].response->body.decoded_size() == 0);
  CHECK(sink.exchanges[3].response->status == 201);
  CHECK(sink.exchanges[3].response->http_version == "HTTP/2");
}

TEST_CASE("Charles exceptions and unfinished transactions keep their error, and -1 ports and sizes mean unknown",
          "[charles]") {
  json exception = transaction("/x");
  exception["status"] = "EXCEPTION";
  exception["errorMessage"] = "Connection refused";
  exception.erase("response");
  json unfinished = transaction("/slow");
  unfinished["status"] = "RECEIVING_RESPONSE_BODY";
  unfinished["times"]["end"] = nullptr;
  json sentinels = transaction("/s");
  sentinels["actualPort"] = -1;
  sentinels["port"] = 8443;
  sentinels["response"]["sizes"]["body"] = -1;
  sentinels["clientPort"] = -1;

  CollectingSink sink;
  CHECK(read_text(json::array({exception, unfinished, sentinels}).dump(), sink).clean());
  REQUIRE(sink.exchanges.size() == 3);
  CHECK(sink.exchanges[0].error == "Connection refused");
  CHECK_FALSE(sink.exchanges[0].response);
  CHECK(sink.exchanges[1].error.find("still in progress") != std::string::npos);
  CHECK(sink.exchanges[2].request.port == 8443);
  CHECK(sink.exchanges[2].request.url == "https://api.example.com:8443/s");
  CHECK_FALSE(sink.exchanges[2].response->body.wire_size);
  CHECK(sink.exchanges[2].client_addr == "127.0.0.1");
  CHECK(charles_transaction_finished(transaction()));
  CHECK_FALSE(charles_transaction_finished(unfinished));
}

TEST_CASE("A Charles WebSocket transaction yields its messages", "[charles][websocket]") {
  const char mask[4] = {1, 2, 3, 4};
  json ws = transaction("/socket");
  ws["webSocket"] = true;
  ws["response"]["status"] = 101;
  ws["request"]["body"] = {{"encoding", "base64"},
                           {"encoded", base64_encode(test::ws_frame(1, "subscribe", true, mask) +
                                                     test::ws_frame(8, "", true, mask))}};
  ws["response"]["body"] = {{"encoding", "base64"},
                            {"encoded", base64_encode(test::ws_frame(1, "tick 1") + test::ws_frame(2, std::string("\x00\x01", 2)))}};
  CollectingSink sink;
  CHECK(read_text(json::array({ws}).dump(), sink).clean());
  REQUIRE(sink.exchanges.size() == 1);
  const auto& m = sink.exchanges[0].websocket_messages;
  REQUIRE(m.size() == 4);
  CHECK(m[0].sender == WebSocketMessage::Sender::client);
  CHECK(m[0].payload == "subscribe");
  CHECK(m[1].opcode == 8);
  CHECK(m[2].sender == WebSocketMessage::Sender::server);
  CHECK(m[2].payload == "tick 1");
  CHECK(m[3].opcode == 2);
  CHECK(sink.exchanges[0].response->body.data.empty());
}

TEST_CASE("Malformed Charles files keep what came before and name the transaction", "[charles][hostile]") {
  json no_host = transaction("/a");
  no_host.erase("host");
  json wrong = transaction("/b");
  wrong["method"] = json::array();
  const std::string good = json::array({transaction("/1"), no_host, wrong, transaction("/2")}).dump();
  CollectingSink sink;
  const ImportReport report = read_text(good, sink);
  CHECK(report.stored == 2);
  CHECK(report.rejected == 2);
  REQUIRE(report.problems.size() >= 2);
  bool named = false;
  for (const auto& p : report.problems) named |= p.where.rfind("transaction 1 (byte ", 0) == 0 && p.rejected;
  CHECK(named);

  const std::string cut = good.substr(0, good.rfind("\"path\":\"/2\""));
  CollectingSink sink2;
  const ImportReport truncated = read_text(cut, sink2);
  CHECK(sink2.exchanges.size() == 1);  // /1; the two bad ones rejected again; /2 cut off
  REQUIRE(truncated.fatal);
  CHECK(truncated.fatal->find("transaction 3") != std::string::npos);

  CollectingSink sink3;
  CHECK(read_text("{\"not\":\"an array\"}", sink3).fatal);
}

TEST_CASE("A 200 MB Charles body string is cut, the transaction kept", "[charles][hostile]") {
  CharlesConversionOptions options;
  options.max_body_bytes = 1 << 20;
  json big = transaction("/big");
  big["response"]["body"] = {{"text", "@"}};
  std::string text = json::array({big, transaction("/after")}).dump();
  text.replace(text.find("\"@\""), 3, "\"" + std::string(200u << 20, 'z') + "\"");
  CollectingSink sink;
  const ImportReport report = read_text(text, sink, options);
  REQUIRE(sink.exchanges.size() == 2);
  CHECK(sink.exchanges[0].response->body.data.size() == (1u << 20));
  REQUIRE(report.problem_count == 1);
  CHECK(report.problems[0].where.rfind("transaction 0", 0) == 0);
  CHECK(report.problems[0].message.find("cut") != std::string::npos);
}

TEST_CASE("The shared Charles samples import with every transaction accounted for", "[charles][shared]") {
  const std::string dir = test::require_shared_samples();
  if (dir.empty()) return;
  for (const char* name : {"synthetic.chlsj", "tunnels.chlsj"}) {
    INFO(name);
    const json expected = json::parse(test::read_file(dir + "/charles/" + name));
    auto input = BoundedJsonInput::open_file(dir + "/charles/" + name, 1 << 24);
    REQUIRE(input.is_ok());
    CollectingSink sink;
    const ImportReport report = read_chlsj(**input, sink, {});
    CHECK(report.clean());
    REQUIRE(sink.exchanges.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const json& t = expected[i];
      const Exchange& x = sink.exchanges[i];
      CHECK(x.request.method == t["method"]);
      CHECK(x.request.host == t["host"]);
      CHECK(x.tunnel == (t["method"] == "CONNECT"));
      if (t.contains("response")) {
        REQUIRE(x.response);
        CHECK(x.response->status == t["response"]["status"]);
        CHECK(x.response->body.wire_size == t["response"]["sizes"]["body"].get<std::int64_t>());
      } else {
        CHECK_FALSE(x.response);
        CHECK_FALSE(x.error.empty());
      }
    }
  }
}

TEST_CASE("Charles's JSON and HAR exports of one session agree", "[charles][har][shared]") {
  const std::string dir = test::require_shared_samples();
  if (dir.empty()) return;
  auto chlsj_input = BoundedJsonInput::open_file(dir + "/charles/synthetic.chlsj", 1 << 24);
  auto har_input = BoundedJsonInput::open_file(dir + "/har/synthetic-charles.har", 1 << 24);
  REQUIRE(chlsj_input.is_ok());
  REQUIRE(har_input.is_ok());
  CollectingSink chlsj, har;
  read_chlsj(**chlsj_input, chlsj, {});
  read_har(**har_input, har, {});
  REQUIRE(chlsj.exchanges.size() == har.exchanges.size());
  for (std::size_t i = 0; i < har.exchanges.size(); ++i) {
    const Exchange& a = chlsj.exchanges[i];
    const Exchange& b = har.exchanges[i];
    INFO(b.request.url);
    CHECK(a.request.method == b.request.method);
    CHECK(a.request.body.decoded_size() == b.request.body.decoded_size());
    CHECK(a.response.has_value() == b.response.has_value());
    if (!a.response) continue;  // the failed request: the two files name different paths for it
    CHECK(a.request.url == b.request.url);
    CHECK(a.response->status == b.response->status);
    CHECK(a.response->body.decoded_size() == b.response->body.decoded_size());
    CHECK(a.response->body.data == b.response->body.data);
  }
}

TEST_CASE("A transaction's identity does not change when Charles fills in its port", "[charles]") {
  json in_flight = transaction("/slow");
  in_flight["actualPort"] = -1;
  json complete = transaction("/slow");
  CHECK(charles_transaction_identity(in_flight) == charles_transaction_identity(complete));
}
