// Mockttp events to Exchanges (recorder/httptoolkit/mockttp_exchange_assembler.h),
// on events as Mockttp 4.6.5's admin API sent them (recorded from a real
// session: curl through its proxy, a WebSocket echo, a garbage request line,
// a client that rejected the certificate), and on hostile variations.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "recorder/httptoolkit/mockttp_exchange_assembler.h"
#include "recorder/httptoolkit/mockttp_subscriptions.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace trafficdb::mockttp;
using nlohmann::json;

namespace {

const char* kGzipRequest = R"({"id":"51434a7e-4843-4f00-b0de-d3da3f517dc4","protocol":"http","httpVersion":"1.1","method":"GET","url":"http://127.0.0.1:45461/gzip?x=1","path":"/gzip?x=1","remoteIpAddress":"::ffff:127.0.0.1","remotePort":58144,"destination":{"hostname":"127.0.0.1","port":45461},"rawHeaders":"[[\"Host\",\"127.0.0.1:45461\"],[\"User-Agent\",\"curl/7.88.1\"],[\"Accept\",\"*/*\"],[\"Accept-Encoding\",\"deflate, gzip, br, zstd\"],[\"X-A\",\"1\"],[\"X-A\",\"2\"]]","body":"","rawTrailers":"[]","timingEvents":"{\"startTime\":1795331251476,\"startTimestamp\":8782.449398,\"bodyReceivedTimestamp\":8787.76497}","tags":[],"matchedRuleId":"pt"})";
const char* kGzipResponse = R"({"id":"51434a7e-4843-4f00-b0de-d3da3f517dc4","statusCode":200,"statusMessage":"OK","rawHeaders":"[[\"content-type\",\"application/json\"],[\"content-encoding\",\"gzip\"],[\"x-dup\",\"a\"],[\"Date\",\"Sun, 22 Nov 2026 07:07:31 GMT\"],[\"Connection\",\"keep-alive\"],[\"Keep-Alive\",\"timeout=5\"],[\"Transfer-Encoding\",\"chunked\"]]","body":"H4sIAAAAAAAAA6tWykjNyclXslIqzy/KSVHSUcpTsjKoBQBBh1DIFwAAAA==","rawTrailers":"[]","timingEvents":"{\"startTime\":1795331251476,\"startTimestamp\":8782.449398,\"bodyReceivedTimestamp\":8787.76497,\"headersSentTimestamp\":8795.79221,\"responseSentTimestamp\":8800.291092}","tags":[]})";
const char* kPostRequest = R"({"id":"f2d2335d-d093-49ea-ae1e-8fb89350e5ed","protocol":"http","httpVersion":"1.1","method":"POST","url":"http://127.0.0.1:45461/post","path":"/post","remoteIpAddress":"::ffff:127.0.0.1","remotePort":58146,"destination":{"hostname":"127.0.0.1","port":45461},"rawHeaders":"[[\"Host\",\"127.0.0.1:45461\"],[\"User-Agent\",\"curl/7.88.1\"],[\"Accept\",\"*/*\"],[\"Content-Length\",\"10\"],[\"Content-Type\",\"application/x-www-form-urlencoded\"]]","body":"aGVsbG8gYm9keQ==","rawTrailers":"[]","timingEvents":"{\"startTime\":1795331251514,\"startTimestamp\":8820.688627,\"bodyReceivedTimestamp\":8821.982764}","tags":[],"matchedRuleId":"pt"})";
const char* kPostResponse = R"({"id":"f2d2335d-d093-49ea-ae1e-8fb89350e5ed","statusCode":201,"statusMessage":"Made","rawHeaders":"[[\"Set-Cookie\",\"a=1\"],[\"Set-Cookie\",\"b=2\"],[\"content-type\",\"text/plain\"],[\"Date\",\"Sun, 22 Nov 2026 07:07:31 GMT\"],[\"Connection\",\"keep-alive\"],[\"Keep-Alive\",\"timeout=5\"],[\"Transfer-Encoding\",\"chunked\"]]","body":"Z290IDEw","rawTrailers":"[]","timingEvents":"{\"startTime\":1795331251514,\"startTimestamp\":8820.688627,\"bodyReceivedTimestamp\":8821.982764,\"headersSentTimestamp\":8824.280417,\"responseSentTimestamp\":8825.136813}","tags":[]})";
const char* kHangRequest = R"({"id":"a8299fa0-7895-4756-9871-dbc9c166abdd","protocol":"http","httpVersion":"1.1","method":"GET","url":"http://127.0.0.1:45461/hang","path":"/hang","remoteIpAddress":"::ffff:127.0.0.1","remotePort":58156,"destination":{"hostname":"127.0.0.1","port":45461},"rawHeaders":"[[\"Host\",\"127.0.0.1:45461\"],[\"User-Agent\",\"curl/7.88.1\"],[\"Accept\",\"*/*\"]]","body":"","rawTrailers":"[]","timingEvents":"{\"startTime\":1795331251536,\"startTimestamp\":8842.929934,\"bodyReceivedTimestamp\":8844.29165}","tags":[],"matchedRuleId":"pt"})";
const char* kHangAborted = R"({"id":"a8299fa0-7895-4756-9871-dbc9c166abdd","protocol":"http","httpVersion":"1.1","method":"GET","url":"http://127.0.0.1:45461/hang","path":"/hang","remoteIpAddress":"::ffff:127.0.0.1","remotePort":58156,"destination":{"hostname":"127.0.0.1","port":45461},"rawHeaders":"[[\"Host\",\"127.0.0.1:45461\"],[\"User-Agent\",\"curl/7.88.1\"],[\"Accept\",\"*/*\"]]","timingEvents":"{\"startTime\":1795331251536,\"startTimestamp\":8842.929934,\"bodyReceivedTimestamp\":8844.29165,\"abortedTimestamp\":9859.617278,\"headersSentTimestamp\":9860.978402}","tags":["passthrough-error:ECONNRESET"],"error":null})";
const char* kClientError = R"({"errorCode":"HPE_INVALID_METHOD","request":{"id":"c675d30f-4b79-4ec1-9201-cb06eb3a28ba","timingEvents":"{\"startTime\":1795331260567,\"startTimestamp\":17873.599505,\"headersSentTimestamp\":17880.164128,\"responseSentTimestamp\":17880.166553}","tags":["client-error:HPE_INVALID_METHOD"],"protocol":"http","httpVersion":"1.1","method":"GARBAGE","url":"LINE","path":"LINE","rawHeaders":"[]","remoteIpAddress":"::ffff:127.0.0.1","remotePort":49336,"destination":null},"response":{"id":"c675d30f-4b79-4ec1-9201-cb06eb3a28ba","timingEvents":"{\"startTime\":1795331260567,\"startTimestamp\":17873.599505,\"headersSentTimestamp\":17880.164128,\"responseSentTimestamp\":17880.166553}","tags":["client-error:HPE_INVALID_METHOD"],"statusCode":400,"statusMessage":"Bad Request","rawHeaders":"[[\"Connection\",\"close\"]]","body":"","rawTrailers":"[]"}})";
const char* kTlsFailure = R"({"failureCause":"cert-rejected","destination":null,"remoteIpAddress":"::ffff:127.0.0.1","remotePort":50570,"tags":[],"timingEvents":"{\"startTime\":1795331438739,\"connectTimestamp\":3515.781431,\"tunnelTimestamp\":3516.778785,\"failureTimestamp\":3574.906364}","tlsMetadata":"{\"sniHostname\":\"localhost\",\"clientAlpn\":[\"h2\",\"http/1.1\"],\"ja3Fingerprint\":\"0149f47eabf9a20d0893e2a44e5a6323\",\"ja4Fingerprint\":\"t13d3112h2_e8f1e7e78f70_b26ce05bbdd6\"}"})";

// The WebSocket: upgrade, two messages each way, a clean close.
const char* kWsTimings = R"({"startTime":1795331419839,"startTimestamp":5105.229773,"bodyReceivedTimestamp":5111.631457,"wsAcceptedTimestamp":5147.818972})";
const char* kWsRequest = R"({"id":"1912fec4-7692-4f2a-b920-b086a008f7c9","protocol":"ws","httpVersion":"1.1","method":"GET","url":"ws://127.0.0.1:45461/chat","path":"/chat","remoteIpAddress":"::ffff:127.0.0.1","remotePort":53994,"destination":{"hostname":"127.0.0.1","port":45461},"rawHeaders":"[[\"Sec-WebSocket-Version\",\"13\"],[\"Sec-WebSocket-Key\",\"g8BEbqAFEwkFB43Gq082Zw==\"],[\"Connection\",\"Upgrade\"],[\"Upgrade\",\"websocket\"],[\"Sec-WebSocket-Extensions\",\"permessage-deflate; client_max_window_bits\"],[\"Host\",\"127.0.0.1:45461\"]]","body":"","timingEvents":"{\"startTime\":1795331419839,\"startTimestamp\":5105.229773,\"bodyReceivedTimestamp\":5111.631457}","tags":[]})";
const char* kWsAccepted = R"({"id":"1912fec4-7692-4f2a-b920-b086a008f7c9","statusCode":101,"statusMessage":"Switching Protocols","rawHeaders":"[[\"Upgrade\",\"websocket\"],[\"Connection\",\"Upgrade\"],[\"Sec-WebSocket-Accept\",\"bb9zYkL6bQsIKrhX5UosnDEfc1M=\"]]","body":"","timingEvents":"{\"startTime\":1795331419839,\"startTimestamp\":5105.229773,\"bodyReceivedTimestamp\":5111.631457,\"wsAcceptedTimestamp\":5147.818972}","tags":[]})";
const char* kWsClose = R"({"streamId":"1912fec4-7692-4f2a-b920-b086a008f7c9","closeCode":1000,"closeReason":"bye","timingEvents":"{\"startTime\":1795331419839,\"startTimestamp\":5105.229773,\"bodyReceivedTimestamp\":5111.631457,\"wsAcceptedTimestamp\":5147.818972,\"wsClosedTimestamp\":5166.899187}","tags":[]})";

json websocket_message(const std::string& direction, const std::string& content, bool binary, double at) {
  return {{"streamId", "1912fec4-7692-4f2a-b920-b086a008f7c9"},
          {"direction", direction},
          {"content", content},
          {"isBinary", binary},
          {"eventTimestamp", at},
          {"timingEvents", kWsTimings},
          {"tags", json::array()}};
}

// Epoch µs of a Mockttp high-resolution timestamp, as the converter computes it.
Micros at(std::int64_t start_ms, double start_timestamp, double timestamp) {
  return start_ms * 1000 + static_cast<Micros>(std::llround((timestamp - start_timestamp) * 1000));
}

struct Harness {
  explicit Harness(AssemblerOptions options = {})
      : assembler(options, sink, [this](const std::string& line) { problems.push_back(line); }) {}
  void add(EventType type, const char* text, const EventCuts& cuts = {}) { add(type, json::parse(text), cuts); }
  void add(EventType type, json event, const EventCuts& cuts = {}) {
    REQUIRE(assembler.add(type, std::move(event), cuts).is_ok());
  }
  json details(std::size_t i) { return json::parse(sink.exchanges.at(i).details); }

  test::CollectingSink sink;
  std::vector<std::string> problems;
  MockttpExchangeAssembler assembler;
};

void check_gzip_exchange(const Exchange& e) {
  CHECK(e.source_key == "51434a7e-4843-4f00-b0de-d3da3f517dc4");
  CHECK(e.error.empty());
  CHECK(e.request.method == "GET");
  CHECK(e.request.url == "http://127.0.0.1:45461/gzip?x=1");
  CHECK(e.request.scheme == "http");
  CHECK(e.request.host == "127.0.0.1");
  CHECK(e.request.port == 45461);
  CHECK(e.request.path == "/gzip");
  CHECK(e.request.query == "x=1");
  CHECK(e.request.http_version == "HTTP/1.1");
  const Headers request_headers{{"Host", "127.0.0.1:45461"}, {"User-Agent", "curl/7.88.1"},
                                {"Accept", "*/*"},           {"Accept-Encoding", "deflate, gzip, br, zstd"},
                                {"X-A", "1"},                {"X-A", "2"}};
  CHECK(e.request.headers == request_headers);
  CHECK(e.request.body.captured);
  CHECK(e.request.body.data.empty());
  REQUIRE(e.response);
  CHECK(e.response->status == 200);
  CHECK(e.response->status_text == "OK");
  CHECK(e.response->http_version == "HTTP/1.1");
  REQUIRE(e.response->headers.size() == 7);
  CHECK(e.response->headers[1] == Header{"content-encoding", "gzip"});
  CHECK(e.response->headers[6] == Header{"Transfer-Encoding", "chunked"});
  CHECK(e.response->body.data == R"({"hello":"world","n":0})");
  CHECK(e.response->body.encoding == "gzip");
  CHECK(e.response->body.wire_size == 43);
  CHECK(e.response->body.size == 23);
  CHECK(e.timings.started == 1795331251476000);
  CHECK(e.timings.request_sent == at(1795331251476, 8782.449398, 8787.76497));
  CHECK(e.timings.response_started == at(1795331251476, 8782.449398, 8795.79221));
  CHECK(e.timings.ended == at(1795331251476, 8782.449398, 8800.291092));
  CHECK(e.client_addr == "127.0.0.1:58144");
  CHECK(e.server_addr == "127.0.0.1:45461");
  const json d = json::parse(e.details);
  CHECK(d["matched_rule_id"] == "pt");
  CHECK(d["destination"] == "127.0.0.1:45461");
  CHECK(d["timing_events"]["responseSentTimestamp"] == 8800.291092);
  CHECK_FALSE(d.contains("tags"));  // none were set
  CHECK_FALSE(d.contains("caveats"));
}

}  // namespace

TEST_CASE("Mockttp events: a request and its response make one whole exchange, field by field", "[httptoolkit]") {
  Harness h;
  h.add(EventType::request_received, kGzipRequest);
  CHECK(h.sink.exchanges.empty());
  CHECK(h.assembler.stats().open == 1);
  h.add(EventType::response_completed, kGzipResponse);
  REQUIRE(h.sink.exchanges.size() == 1);
  check_gzip_exchange(h.sink.exchanges[0]);
  CHECK(h.assembler.stats().open == 0);
  CHECK(h.assembler.stats().open_bytes == 0);

  h.add(EventType::request_received, kPostRequest);
  h.add(EventType::response_completed, kPostResponse);
  REQUIRE(h.sink.exchanges.size() == 2);
  const Exchange& post = h.sink.exchanges[1];
  CHECK(post.request.body.data == "hello body");
  CHECK(post.request.body.wire_size == 10);
  CHECK(post.request.query == std::nullopt);
  CHECK(post.response->status == 201);
  CHECK(post.response->status_text == "Made");
  CHECK(post.response->headers[0] == Header{"Set-Cookie", "a=1"});
  CHECK(post.response->headers[1] == Header{"Set-Cookie", "b=2"});
  CHECK(post.response->body.data == "got 10");
  CHECK(h.problems.empty());
}

TEST_CASE("Mockttp events: a response that arrives before its request is held and paired", "[httptoolkit]") {
  Harness h;
  h.add(EventType::response_completed, kGzipResponse);
  CHECK(h.sink.exchanges.empty());
  CHECK(h.assembler.stats().open_bytes > 0);
  h.add(EventType::request_received, kGzipRequest);
  REQUIRE(h.sink.exchanges.size() == 1);
  check_gzip_exchange(h.sink.exchanges[0]);
  CHECK(h.assembler.stats().open_bytes == 0);
  // A repeat of the response is late, not a new exchange.
  h.add(EventType::response_completed, kGzipResponse);
  CHECK(h.sink.exchanges.size() == 1);
  CHECK(h.assembler.stats().late == 1);
}

TEST_CASE("Mockttp events: an abort ends the request with an error saying how", "[httptoolkit]") {
  Harness h;
  h.add(EventType::request_received, kHangRequest);
  h.add(EventType::request_aborted, kHangAborted);
  REQUIRE(h.sink.exchanges.size() == 1);
  const Exchange& e = h.sink.exchanges[0];
  CHECK_FALSE(e.response);
  CHECK(e.error == "aborted before its response completed; the upstream connection failed (ECONNRESET)");
  CHECK(e.request.path == "/hang");
  CHECK(e.request.body.captured);
  CHECK(e.timings.ended == at(1795331251536, 8842.929934, 9859.617278));
  CHECK(h.details(0)["tags"] == json::array({"passthrough-error:ECONNRESET"}));

  SECTION("aborted mid-upload: only the abort event, with the error object") {
    json aborted = json::parse(kHangAborted);
    aborted["id"] = "upload-1";
    aborted["method"] = "POST";
    aborted["tags"] = json::array();
    aborted["error"] = R"({"name":"Error","code":"ECONNRESET","message":"aborted","stack":"Error: aborted\n at x"})";
    h.add(EventType::request_aborted, aborted);
    REQUIRE(h.sink.exchanges.size() == 2);
    const Exchange& u = h.sink.exchanges[1];
    CHECK(u.request.method == "POST");
    CHECK_FALSE(u.request.body.captured);
    CHECK(u.error == "aborted before its response completed: aborted (ECONNRESET)");
    CHECK(h.details(1)["abort_error"] == json({{"name", "Error"}, {"code", "ECONNRESET"}, {"message", "aborted"}}));
  }
}

TEST_CASE("Mockttp events: an unparseable request is stored with Mockttp's 400", "[httptoolkit]") {
  Harness h;
  h.add(EventType::failed_client_request, kClientError);
  REQUIRE(h.sink.exchanges.size() == 1);
  const Exchange& e = h.sink.exchanges[0];
  CHECK(e.source_key == "c675d30f-4b79-4ec1-9201-cb06eb3a28ba");
  CHECK(e.request.method == "GARBAGE");
  CHECK(e.request.url == "LINE");
  CHECK(e.request.path == "LINE");
  CHECK(e.request.host.empty());
  CHECK_FALSE(e.request.body.captured);
  REQUIRE(e.response);
  CHECK(e.response->status == 400);
  CHECK(e.response->headers == Headers{{"Connection", "close"}});
  CHECK(e.error ==
        "client error: the request is not valid HTTP (HPE_INVALID_METHOD); Mockttp answered it with an error response");
  CHECK(e.client_addr == "127.0.0.1:49336");
  const json d = h.details(0);
  CHECK(d["client_error_code"] == "HPE_INVALID_METHOD");
  CHECK(d["tags"] == json::array({"client-error:HPE_INVALID_METHOD"}));
  CHECK(d["caveats"][0].get<std::string>().find("'LINE' is not a URL") != std::string::npos);
}

TEST_CASE("Mockttp events: a refused TLS handshake is stored as a failed tunnel", "[httptoolkit]") {
  Harness h;
  h.add(EventType::failed_tls_request, kTlsFailure);
  REQUIRE(h.sink.exchanges.size() == 1);
  const Exchange& e = h.sink.exchanges[0];
  CHECK(e.tunnel);
  CHECK(e.request.method == "CONNECT");
  CHECK(e.request.host == "localhost");
  CHECK(e.request.url == "localhost");
  CHECK_FALSE(e.response);
  CHECK(e.error.find("TLS handshake failed: the client rejected the certificate") == 0);
  CHECK(e.timings.started == 1795331438739000);
  CHECK(e.timings.ended == at(1795331438739, 3515.781431, 3574.906364));
  CHECK(e.source_key == "tls:127.0.0.1:50570@1795331438739000");
  const json d = h.details(0);
  CHECK(d["tls_failure_cause"] == "cert-rejected");
  CHECK(d["tls_metadata"]["sniHostname"] == "localhost");
}

TEST_CASE("Mockttp events: a WebSocket is stored when it closes, with its messages", "[httptoolkit]") {
  Harness h;
  h.add(EventType::websocket_request, kWsRequest);
  h.add(EventType::websocket_accepted, kWsAccepted);
  h.add(EventType::websocket_message_received, websocket_message("received", "aGVsbG8gdGV4dA==", false, 5152.871915));
  h.add(EventType::websocket_message_received, websocket_message("received", "AAEC/w==", true, 5160.056426));
  h.add(EventType::websocket_message_sent, websocket_message("sent", "aGVsbG8gdGV4dA==", false, 5160.528502));
  h.add(EventType::websocket_message_sent, websocket_message("sent", "AAEC/w==", true, 5163.559416));
  CHECK(h.sink.exchanges.empty());
  h.add(EventType::websocket_close, kWsClose);
  REQUIRE(h.sink.exchanges.size() == 1);
  const Exchange& e = h.sink.exchanges[0];
  CHECK(e.request.url == "ws://127.0.0.1:45461/chat");
  CHECK(e.request.scheme == "ws");
  CHECK(e.request.headers.size() == 6);
  REQUIRE(e.response);
  CHECK(e.response->status == 101);
  CHECK(e.response->status_text == "Switching Protocols");
  CHECK(e.timings.response_started == at(1795331419839, 5105.229773, 5147.818972));
  CHECK(e.timings.ended == at(1795331419839, 5105.229773, 5166.899187));
  REQUIRE(e.websocket_messages.size() == 4);
  const auto& m = e.websocket_messages;
  CHECK(m[0].sender == WebSocketMessage::Sender::client);
  CHECK(m[0].opcode == 1);
  CHECK(m[0].payload == "hello text");
  CHECK(m[0].size == 10);
  CHECK(m[0].at == at(1795331419839, 5105.229773, 5152.871915));
  CHECK(m[1].opcode == 2);
  CHECK(m[1].payload == std::string("\x00\x01\x02\xff", 4));
  CHECK(m[2].sender == WebSocketMessage::Sender::server);
  CHECK(m[3].sender == WebSocketMessage::Sender::server);
  CHECK(m[3].at == at(1795331419839, 5105.229773, 5163.559416));
  CHECK(h.details(0)["websocket_close"] == json({{"code", 1000}, {"reason", "bye"}}));
}

TEST_CASE("Mockttp events: hostile events are dropped or kept with caveats, never crash", "[httptoolkit]") {
  Harness h;
  h.add(EventType::request_received, json("not an object"));
  h.add(EventType::request_received, json::object());
  h.add(EventType::response_completed, json{{"id", 42}});
  h.add(EventType::failed_client_request, json{{"request", nullptr}});
  CHECK(h.assembler.stats().unreadable == 4);
  CHECK(h.problems.size() == 4);
  CHECK(h.problems[0] == "dropped a requestReceived event: it is string, not an object");
  CHECK(h.sink.exchanges.empty());

  json odd = json::parse(kPostRequest);
  odd["rawHeaders"] = "[[\"A\",\"1\"],[\"B\"],42,[\"C\",7]";  // not valid JSON text
  odd["body"] = "not base64!";
  odd["timingEvents"] = "{\"startTime\":\"yesterday\"}";
  odd["url"] = std::string(100000, 'x');
  odd["tags"] = json::array({"a", 1, nullptr, "b"});
  h.add(EventType::request_received, odd);
  json response = json::parse(kPostResponse);
  response["rawHeaders"] = R"([["A","1"],["B"],42,["C",7]])";
  response["statusCode"] = 7;
  response["body"] = json::array();
  h.add(EventType::response_completed, response);
  REQUIRE(h.sink.exchanges.size() == 1);
  const Exchange& e = h.sink.exchanges[0];
  CHECK(e.request.headers.empty());
  CHECK_FALSE(e.request.body.captured);
  CHECK(e.response->headers == Headers{{"A", "1"}, {"C", "7"}});
  CHECK(e.response->status == 0);
  CHECK_FALSE(e.response->body.captured);
  const json d = h.details(0);
  CHECK(d["tags"] == json::array({"a", "b"}));
  const std::string caveats = d["caveats"].dump();
  CHECK(caveats.find("request.rawHeaders is not valid JSON text") != std::string::npos);
  CHECK(caveats.find("request body is not base64") != std::string::npos);
  CHECK(caveats.find("no usable startTime") != std::string::npos);
  CHECK(caveats.find("2 entries are not [name, value] pairs") != std::string::npos);
  CHECK(caveats.find("status 7") != std::string::npos);
  CHECK(caveats.find("response body is array") != std::string::npos);
}

TEST_CASE("Mockttp events: bodies cut by the reader and content codings", "[httptoolkit]") {
  Harness h(AssemblerOptions{.max_body_bytes = 4096});
  const std::string big(10000, 'z');
  json request = json::parse(kPostRequest);
  request["rawHeaders"] = R"([["Content-Length","10000"]])";
  // The reader kept 4098 characters of a 13336-character base64 string.
  request["body"] = base64_encode(big).substr(0, 4098);
  h.add(EventType::request_received, request, {{"/body", 13336}});
  json response = json::parse(kPostResponse);
  response["rawHeaders"] = R"([["Content-Encoding","gzip"]])";
  response["body"] = base64_encode(test::gzip(big));
  h.add(EventType::response_completed, response);
  REQUIRE(h.sink.exchanges.size() == 1);
  const Exchange& e = h.sink.exchanges[0];
  CHECK(e.request.body.data == big.substr(0, 3072));  // whole base64 groups of what was kept
  CHECK(e.request.body.wire_size == 10000);            // from Content-Length
  CHECK(e.request.body.size == 10000);
  CHECK(e.response->body.data == big.substr(0, 4096));  // decoded up to the limit
  CHECK_FALSE(e.response->body.size);                   // the rest was not decoded
  const std::string caveats = h.details(0)["caveats"].dump();
  CHECK(caveats.find("request body: the event carried 10002 bytes of it") != std::string::npos);
  CHECK(caveats.find("response body decodes to more than the body limit") != std::string::npos);

  SECTION("a coding that is not supported keeps the bytes as sent") {
    response["id"] = request["id"] = "x2";
    request["body"] = "";
    response["rawHeaders"] = R"([["Content-Encoding","compress"]])";
    response["body"] = base64_encode("LZW?");
    h.add(EventType::request_received, request);
    h.add(EventType::response_completed, response);
    REQUIRE(h.sink.exchanges.size() == 2);
    CHECK(h.sink.exchanges[1].response->body.data == "LZW?");
    CHECK(h.sink.exchanges[1].response->body.encoding == "compress");
    CHECK(h.details(1)["caveats"][0].get<std::string>().find("response body not decoded") == 0);
  }
}

TEST_CASE("Mockttp events: open requests are bounded; the oldest is stored with an error", "[httptoolkit]") {
  Harness h(AssemblerOptions{.max_open = 2, .max_open_bytes = 1u << 20, .remembered_ids = 100});
  for (int i = 0; i < 3; ++i) {
    json r = json::parse(kHangRequest);
    r["id"] = "r" + std::to_string(i);
    h.add(EventType::request_received, r);
  }
  REQUIRE(h.sink.exchanges.size() == 1);
  CHECK(h.sink.exchanges[0].source_key == "r0");
  CHECK(h.sink.exchanges[0].error.find("more than 2 requests and WebSockets were open at once") != std::string::npos);
  CHECK(h.assembler.stats().evicted == 1);
  CHECK(h.assembler.stats().open == 2);
  // Its response, later, is recognised as late.
  json late = json::parse(kGzipResponse);
  late["id"] = "r0";
  h.add(EventType::response_completed, late);
  CHECK(h.assembler.stats().late == 1);
  CHECK(h.sink.exchanges.size() == 1);

  SECTION("bytes count too: a large body pushes the oldest out") {
    json r = json::parse(kPostRequest);
    r["id"] = "big";
    r["body"] = base64_encode(std::string(1u << 20, 'b'));
    h.add(EventType::request_received, r);
    // r1, r2 and then big itself go: nothing open may hold more than 1 MiB.
    CHECK(h.sink.exchanges.size() == 4);
    CHECK(h.sink.exchanges[1].error.find("more than 2 requests") != std::string::npos);
    CHECK(h.sink.exchanges[2].error.find("held more than 1.0 MiB") != std::string::npos);
    CHECK(h.assembler.stats().open_bytes == 0);
  }
  SECTION("responses without requests are dropped when they are the oldest") {
    for (int i = 0; i < 3; ++i) {
      json r = json::parse(kGzipResponse);
      r["id"] = "orphan" + std::to_string(i);
      h.add(EventType::response_completed, r);
    }
    CHECK(h.assembler.stats().unmatched == 1);  // the first orphan, once r1 and r2 had gone
    CHECK(h.sink.exchanges.size() == 3);
  }
}

TEST_CASE("Mockttp events: what is open when recording stops is stored, naming any gap", "[httptoolkit]") {
  Harness h;
  h.add(EventType::request_received, kHangRequest);
  h.assembler.note_gap(1795331252000000, 1795331254500000);
  json later = json::parse(kPostRequest);
  h.add(EventType::request_received, later);
  json orphan = json::parse(kGzipResponse);
  h.add(EventType::response_completed, orphan);  // its request was sent in the gap
  REQUIRE(h.assembler.store_open("still open when recording stopped").is_ok());
  REQUIRE(h.sink.exchanges.size() == 2);
  CHECK(h.sink.exchanges[0].error ==
        "still open when recording stopped; the connection to Mockttp was down from 2026-11-22T07:07:32.000000Z to "
        "2026-11-22T07:07:34.500000Z, when its end may have come");
  CHECK(h.sink.exchanges[1].error == "still open when recording stopped");
  CHECK(h.assembler.stats().unmatched == 1);
  CHECK(h.assembler.stats().open == 0);
}

TEST_CASE("Mockttp subscriptions: bodies last, never decodedBody, trimmed to the server's schema", "[httptoolkit]") {
  const auto all = subscription_documents(nullptr);
  REQUIRE(all.size() == kEventTypes.size());
  for (const auto& d : all) {
    CHECK(d.query.find("decodedBody") == std::string::npos);
    const auto body = d.query.find(" body ");
    if (body != std::string::npos) CHECK(d.query.find(" body }") != std::string::npos);
  }
  CHECK(all[0].query ==
        "subscription { requestReceived { id matchedRuleId protocol httpVersion method url path remoteIpAddress "
        "remotePort destination { hostname port } rawHeaders timingEvents tags rawTrailers body } }");
  CHECK(event_type("webSocketClose") == EventType::websocket_close);
  CHECK(event_name(EventType::failed_tls_request) == "failedTlsRequest");
  CHECK_FALSE(event_type("ruleEvent"));

  // An older server: no rawTrailers, no destination, no failedTlsRequest.
  json data = json::object();
  for (const char* type : {"Request", "Response", "AbortedRequest", "ClientError", "ClientErrorRequest",
                           "TlsHandshakeFailure", "WebSocketMessage", "WebSocketClose"}) {
    json fields = json::array();
    for (const char* f : {"id", "url", "body", "statusCode", "errorCode", "request", "response", "streamId",
                          "content", "closeCode", "destination"})
      if (std::string(f) != "destination" || std::string(type) == "Response") fields.push_back({{"name", f}});
    data[type] = {{"fields", fields}};
  }
  data["Destination"] = nullptr;
  json subscription = json::array();
  for (EventType t : kEventTypes)
    if (t != EventType::failed_tls_request) subscription.push_back({{"name", std::string(event_name(t))}});
  data["Subscription"] = {{"fields", subscription}};
  auto schema = read_schema_answer(data);
  REQUIRE(schema.is_ok());
  std::vector<std::string> left_out;
  const auto docs = subscription_documents(&*schema, &left_out);
  CHECK(docs.size() == kEventTypes.size() - 1);  // no failedTlsRequest
  CHECK(docs[0].query == "subscription { requestReceived { id url body } }");
  CHECK(std::find(left_out.begin(), left_out.end(), "failedTlsRequest") != left_out.end());
  CHECK(std::find(left_out.begin(), left_out.end(), "Request.rawTrailers") != left_out.end());
  CHECK(schema_query().find("Request: __type(name: \"Request\") { fields { name } }") != std::string::npos);
  CHECK_FALSE(read_schema_answer(json::array()).is_ok());
  CHECK_FALSE(read_schema_answer(json{{"Request", {{"fields", 3}}}}).is_ok());
}
