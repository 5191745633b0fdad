// HttpConnection on its own, driven with on_data/on_gap/on_end/on_close as
// the reassembler would, with a recording CaptureOutput: FIFO pairing with
// pipelining (HEAD, 204, 304), which side is the client without a SYN,
// 100-continue, a 101 upgrade to WebSocket, CONNECT tunnels, requests left
// unanswered, responses without a request, server bytes seen before the
// request, connections that are not HTTP, the body cap, the shared
// BodyBudget and the bound on unanswered requests.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "recorder/http1/http_connection.h"
#include "tests/websocket_test_frames.h"
#include "tests/recording_output.h"

using namespace trafficdb;
using trafficdb::test::RecordingOutput;
using trafficdb::test::ws_frame;
using Lines = std::vector<std::string>;

namespace {

Endpoint endpoint(std::uint8_t last_octet, std::uint16_t port) {
  const unsigned char ip[4] = {10, 0, 0, last_octet};
  return Endpoint{IpAddress::v4(ip), port};
}

const Endpoint kClient = endpoint(1, 40000), kServer = endpoint(2, 80);

// "METHOD url -> status 'body'", or "-> none"; then the error, if any.
std::string summary(const Exchange& e) {
  std::string s = e.request.method + " " + e.request.url + " -> ";
  s += e.response ? std::to_string(e.response->status) + " '" + e.response->body.data + "'" : "none";
  if (!e.error.empty()) s += " error=" + e.error;
  return s;
}

Lines summaries(const std::vector<Exchange>& exchanges) {
  Lines out;
  for (const Exchange& e : exchanges) out.push_back(summary(e));
  return out;
}

// One connection opened at 1000. With a SYN the originator is the client;
// without one, `client_first` says whether the client sent the first segment.
struct Harness {
  explicit Harness(bool saw_syn = true, bool client_first = true, HttpCaptureOptions o = {},
                   BodyBudget* shared_budget = nullptr)
      : options(o),
        budget(shared_budget ? shared_budget : &own_budget),
        info{client_first ? kClient : kServer, client_first ? kServer : kClient, saw_syn, 1000},
        client_side(client_first ? Side::originator : Side::responder),
        conn(info, options, *budget, out) {}
  void client(std::string_view bytes, Micros at) { conn.on_data(client_side, bytes, at); }
  void server(std::string_view bytes, Micros at) { conn.on_data(other(client_side), bytes, at); }
  void close(Micros at, StreamEnd client_end = StreamEnd::fin, StreamEnd server_end = StreamEnd::fin) {
    conn.on_end(client_side, client_end, at);
    conn.on_end(other(client_side), server_end, at);
    conn.on_close(at);
  }
  HttpCaptureOptions options;
  BodyBudget own_budget{1u << 24};
  BodyBudget* budget;
  RecordingOutput out;
  ConnectionInfo info;
  Side client_side;
  HttpConnection conn;
};

std::string get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n"; }

std::string ok(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("Connection pairs pipelined responses with requests in order, HEAD, 304 and 204 without bodies",
          "[http_connection]") {
  Harness h;
  h.client(get("/a") + "HEAD /b HTTP/1.1\r\nHost: h\r\n\r\n" + get("/c") + get("/d"), 10);
  CHECK(h.out.exchanges.empty());
  h.server(ok("A") + "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 20);
  CHECK(summaries(h.out.exchanges) == Lines{"GET http://h/a -> 200 'A'", "HEAD http://h/b -> 200 ''"});
  h.server("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", 30);
  CHECK(summaries(h.out.exchanges) == Lines{"GET http://h/a -> 200 'A'", "HEAD http://h/b -> 200 ''",
                                            "GET http://h/c -> 304 ''", "GET http://h/d -> 204 ''"});
  const Exchange& first = h.out.exchanges[0];
  CHECK(first.source_key == "10.0.0.1:40000>10.0.0.2:80@1000#0");
  CHECK(h.out.exchanges[3].source_key == "10.0.0.1:40000>10.0.0.2:80@1000#3");
  CHECK(first.client_addr == "10.0.0.1:40000");
  CHECK(first.server_addr == "10.0.0.2:80");
  CHECK(first.timings.started == 10);
  CHECK(first.timings.request_sent == 10);
  CHECK(first.timings.response_started == 20);
  CHECK(first.timings.ended == 20);
  CHECK(h.out.exchanges[2].timings.response_started == 30);
  h.close(40);
  CHECK(h.out.exchanges.size() == 4);
  CHECK(h.out.problems.empty());
  CHECK(h.out.skipped_reasons.empty());
}

TEST_CASE("Connection without a SYN takes the side whose first bytes are a status line as the server",
          "[http_connection]") {
  Harness h(/*saw_syn=*/false, /*client_first=*/false);
  h.server(ok("hi"), 10);  // the first segment seen, from the server
  CHECK(h.out.exchanges.empty());
  h.client(get("/x"), 11);
  REQUIRE(h.out.exchanges.size() == 1);
  CHECK(summary(h.out.exchanges[0]) == "GET http://h/x -> 200 'hi'");
  CHECK(h.out.exchanges[0].client_addr == "10.0.0.1:40000");
  CHECK(h.out.exchanges[0].server_addr == "10.0.0.2:80");
}

TEST_CASE("Connection without a SYN and no telling first bytes takes the well-known port as the server",
          "[http_connection]") {
  Harness h(/*saw_syn=*/false, /*client_first=*/false);
  h.server("</html>\r\n", 10);  // the end of a body, mid-stream
  h.client(get("/next"), 11);
  h.server(ok(""), 12);
  h.close(13);
  CHECK(summaries(h.out.exchanges) == Lines{"GET http://h/next -> 200 ''"});
  REQUIRE(h.out.exchanges.size() == 1);
  CHECK(h.out.exchanges[0].client_addr == "10.0.0.1:40000");
}

// Without a SYN, mid-stream text from the server ("Hello world") is not a
// request line: the whole first line decides, then the port.
TEST_CASE("Connection without a SYN does not take a server sending a text body for the client",
          "[http_connection]") {
  Harness h(/*saw_syn=*/false, /*client_first=*/false);
  h.server("Hello world\r\n", 10);
  h.client(get("/next"), 11);
  h.server(ok(""), 12);
  h.close(13);
  CHECK(summaries(h.out.exchanges) == Lines{"GET http://h/next -> 200 ''"});
}

TEST_CASE("Connection keeps a 100 Continue as informational and pairs the final response", "[http_connection]") {
  Harness h;
  h.client("POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", 10);
  h.server("HTTP/1.1 100 Continue\r\n\r\n", 20);
  CHECK(h.out.exchanges.empty());
  h.client("data", 30);
  h.server("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 40);
  REQUIRE(h.out.exchanges.size() == 1);
  const Exchange& e = h.out.exchanges[0];
  CHECK(summary(e) == "POST http://h/up -> 201 ''");
  CHECK(e.request.body.data == "data");
  CHECK(e.details == R"({"informational":[{"status":100,"reason":"Continue","at":"1970-01-01T00:00:00.000020Z"}]})");
  CHECK(e.timings.response_started == 40);
}

TEST_CASE("Connection keeps the WebSocket messages after a 101 on the upgrade exchange, handed on at close",
          "[http_connection]") {
  Harness h;
  h.client("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n", 10);
  h.server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" +
               ws_frame(1, "welcome"),
           20);
  h.client(ws_frame(1, "hi", true, "abcd"), 30);
  h.server(ws_frame(2, std::string("\x01\x02", 2)), 40);
  CHECK(h.out.exchanges.empty());
  h.close(50);
  REQUIRE(h.out.exchanges.size() == 1);
  const Exchange& e = h.out.exchanges[0];
  CHECK(summary(e) == "GET http://h/chat -> 101 ''");
  CHECK(e.details == R"({"protocol_switch":"websocket"})");
  REQUIRE(e.websocket_messages.size() == 3);
  CHECK(e.websocket_messages[0].sender == WebSocketMessage::Sender::server);
  CHECK(e.websocket_messages[0].opcode == 1);
  CHECK(e.websocket_messages[0].payload == "welcome");
  CHECK(e.websocket_messages[0].at == 20);
  CHECK(e.websocket_messages[1].sender == WebSocketMessage::Sender::client);
  CHECK(e.websocket_messages[1].payload == "hi");
  CHECK(e.websocket_messages[1].at == 30);
  CHECK(e.websocket_messages[2].opcode == 2);
  CHECK(e.websocket_messages[2].payload == std::string("\x01\x02", 2));
  CHECK(e.error.empty());
}

TEST_CASE("Connection parses requests sent after an Upgrade the server refused", "[http_connection]") {
  Harness h;
  h.client("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" + get("/next"), 10);
  CHECK(h.out.exchanges.empty());
  h.server(ok("no") + ok("yes"), 20);
  CHECK(summaries(h.out.exchanges) == Lines{"GET http://h/chat -> 200 'no'", "GET http://h/next -> 200 'yes'"});
}

// Frames the client sent after its Upgrade request but before the 101 (in
// capture order) are held until the 101 is handed on, then decoded.
TEST_CASE("Connection keeps client WebSocket frames that arrive before the 101", "[http_connection]") {
  Harness h;
  h.client("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 10);
  h.client(ws_frame(1, "early", true, "abcd"), 11);
  h.server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", 12);
  h.close(20);
  REQUIRE(h.out.exchanges.size() == 1);
  const Exchange& e = h.out.exchanges[0];
  INFO("messages kept: " << e.websocket_messages.size() << ", error: '" << e.error << "'");
  REQUIRE(e.websocket_messages.size() == 1);
  CHECK(e.websocket_messages[0].payload == "early");
  CHECK(e.websocket_messages[0].sender == WebSocketMessage::Sender::client);
}

TEST_CASE("Connection reports a WebSocket cut by a gap on its exchange", "[http_connection]") {
  Harness h;
  h.client("GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 10);
  h.server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + ws_frame(1, "one"), 20);
  h.conn.on_gap(Side::responder, 12, 30);
  h.server(ws_frame(1, "lost"), 40);
  h.close(50);
  REQUIRE(h.out.exchanges.size() == 1);
  REQUIRE(h.out.exchanges[0].websocket_messages.size() == 1);
  CHECK(h.out.exchanges[0].websocket_messages[0].payload == "one");
  CHECK(h.out.exchanges[0].error ==
        "the capture is missing 12 bytes of the server's WebSocket frames; its later messages are lost");
}

TEST_CASE("Connection hands on a CONNECT answered 2xx as a tunnel and skips the tunnel's bytes",
          "[http_connection]") {
  Harness h;
  h.client("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 10);
  h.server("HTTP/1.1 200 Connection Established\r\n\r\n", 20);
  REQUIRE(h.out.exchanges.size() == 1);
  h.client(std::string("\x16\x03\x01\x00\x05hello", 10), 30);
  h.server(std::string("\x16\x03\x03\x00\x02ok", 7), 40);
  h.close(50);
  REQUIRE(h.out.exchanges.size() == 1);
  const Exchange& e = h.out.exchanges[0];
  CHECK(summary(e) == "CONNECT example.com:443 -> 200 ''");
  CHECK(e.tunnel);
  CHECK(e.request.host == "example.com");
  CHECK(e.request.port == 443);
  CHECK(e.error.empty());
  CHECK(h.out.skipped_reasons.empty());
}

TEST_CASE("Connection reads HTTP again after a refused CONNECT", "[http_connection]") {
  Harness h;
  h.client("CONNECT a.test:443 HTTP/1.1\r\n\r\n", 10);
  h.server("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", 20);
  h.client("CONNECT a.test:443 HTTP/1.1\r\nProxy-Authorization: Basic eA==\r\n\r\n", 30);
  h.server("HTTP/1.1 200 OK\r\n\r\n", 40);
  REQUIRE(h.out.exchanges.size() == 2);
  CHECK(summaries(h.out.exchanges) == Lines{"CONNECT a.test:443 -> 407 ''", "CONNECT a.test:443 -> 200 ''"});
  CHECK_FALSE(h.out.exchanges[0].tunnel);
  CHECK(h.out.exchanges[1].tunnel);
}

TEST_CASE("Connection stores a request unanswered at close with an error saying how it ended",
          "[http_connection]") {
  auto unanswered = [](StreamEnd server_end) {
    Harness h;
    h.client(get("/x"), 10);
    h.close(20, StreamEnd::fin, server_end);
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK_FALSE(h.out.exchanges[0].response.has_value());
    CHECK(h.out.exchanges[0].timings.ended == 10);
    return h.out.exchanges[0].error;
  };
  CHECK(unanswered(StreamEnd::fin) == "no response in capture (the connection was closed)");
  CHECK(unanswered(StreamEnd::reset) == "no response in capture (the connection was reset)");
  CHECK(unanswered(StreamEnd::capture_end) == "no response in capture");

  Harness h;
  h.client("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc", 10);
  h.close(20);
  REQUIRE(h.out.exchanges.size() == 1);
  CHECK(h.out.exchanges[0].request.body.data == "abc");
  CHECK(h.out.exchanges[0].error ==
        "request: the connection was closed 7 bytes before the end of the body; "
        "no response in capture (the connection was closed)");
}

TEST_CASE("Connection stores a response with no request in the capture", "[http_connection]") {
  Harness h;
  h.server(ok("hi"), 10);
  CHECK(h.out.exchanges.empty());  // it may yet be answering a request that comes later in the capture
  h.close(20);
  REQUIRE(h.out.exchanges.size() == 1);
  const Exchange& e = h.out.exchanges[0];
  CHECK(summary(e) == " http://10.0.0.2 -> 200 'hi' error=no request in capture");
  CHECK_FALSE(e.request.body.captured);
  CHECK(e.request.port == 80);
  CHECK(e.timings.started == 10);
}

TEST_CASE("Connection pairs server bytes seen before the request with that request", "[http_connection]") {
  Harness h;
  h.server(ok("early"), 10);
  h.client(get("/x"), 11);
  REQUIRE(h.out.exchanges.size() == 1);
  CHECK(summary(h.out.exchanges[0]) == "GET http://h/x -> 200 'early'");
  CHECK(h.out.exchanges[0].timings.response_started == 10);
  h.close(20);
  CHECK(h.out.exchanges.size() == 1);
}

TEST_CASE("Connection ignores a connection whose client does not speak HTTP/1.x", "[http_connection]") {
  SECTION("TLS") {
    Harness h;
    h.client(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), 10);
    CHECK_FALSE(h.conn.wants_data());
    CHECK(h.out.skipped_reasons == Lines{"the client's first bytes are not an HTTP/1.x request line"});
    h.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 20);
    h.close(30);
    CHECK(h.out.exchanges.empty());
  }
  SECTION("SSH, the server speaking first") {
    Harness h;
    h.server("SSH-2.0-OpenSSH_9.6\r\n", 10);
    CHECK(h.conn.wants_data());  // held: the request may come later in the capture
    h.client("SSH-2.0-OpenSSH_9.7\r\n", 11);
    CHECK_FALSE(h.conn.wants_data());
    h.close(30);
    CHECK(h.out.skipped_reasons == Lines{"the client's first bytes are not an HTTP/1.x request line"});
    CHECK(h.out.exchanges.empty());
  }
  SECTION("HTTP/2 with prior knowledge") {
    Harness h;
    h.client("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 10);
    CHECK_FALSE(h.conn.wants_data());
    CHECK(h.out.skipped_reasons == Lines{"HTTP/2 with prior knowledge (not decoded)"});
  }
}

TEST_CASE("Connection keeps at most max_body_bytes of a body and reports the cut", "[http_connection]") {
  HttpCaptureOptions options;
  options.max_body_bytes = 4;
  Harness h(true, true, options);
  h.client(get("/big"), 10);
  h.server(ok("0123456789"), 20);
  REQUIRE(h.out.exchanges.size() == 1);
  const Body& body = h.out.exchanges[0].response->body;
  CHECK(body.data == "0123");
  CHECK(body.size == 10);
  CHECK(body.wire_size == 10);
  CHECK(h.out.problems == Lines{"10.0.0.1:40000>10.0.0.2:80@1000#0: response body of 10 bytes was cut to 4 bytes"});
}

TEST_CASE("Connections share one BodyBudget: bodies held by one cut another's, and are given back",
          "[http_connection]") {
  BodyBudget budget(64);
  Harness a(true, true, {}, &budget);
  Harness b(true, true, {}, &budget);
  a.client("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n", 10);
  a.client("0123456789", 11);
  CHECK(budget.used() == 10);  // the request waits for its response
  b.client(get("/b"), 12);
  b.server("HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n", 13);  // 39 bytes of head fit beside the 10
  b.server(std::string(60, 'x'), 14);
  REQUIRE(b.out.exchanges.size() == 1);
  CHECK(b.out.exchanges[0].response->body.data == std::string(54, 'x'));
  CHECK(b.out.problems == Lines{"10.0.0.1:40000>10.0.0.2:80@1000#0: response body of 60 bytes was cut to 54 bytes"});
  CHECK(budget.used() == 10);
  a.server(ok(""), 15);
  REQUIRE(a.out.exchanges.size() == 1);
  CHECK(a.out.exchanges[0].request.body.data == "0123456789");
  CHECK(budget.used() == 0);
}

TEST_CASE("Connection hands on the oldest unanswered request past max_waiting_requests", "[http_connection]") {
  HttpCaptureOptions options;
  options.max_waiting_requests = 2;
  Harness h(true, true, options);
  h.client(get("/1") + get("/2"), 10);
  CHECK(h.out.exchanges.empty());
  h.client(get("/3"), 11);
  CHECK(summaries(h.out.exchanges) == Lines{"GET http://h/1 -> none error=no response in capture"});
  h.server(ok("two"), 20);
  h.close(30);
  CHECK(summaries(h.out.exchanges) ==
        Lines{"GET http://h/1 -> none error=no response in capture", "GET http://h/2 -> 200 'two'",
              "GET http://h/3 -> none error=no response in capture (the connection was closed)"});
}

TEST_CASE("Connection keeps a gap in a response body as missing bytes on the exchange", "[http_connection]") {
  Harness h;
  h.client(get("/g"), 10);
  h.server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd", 20);
  h.conn.on_gap(Side::responder, 3, 21);
  h.server("hij", 22);
  h.client(get("/after"), 23);
  h.server(ok("ok"), 24);
  REQUIRE(h.out.exchanges.size() == 2);
  CHECK(h.out.exchanges[0].response->body.data == "abcd");
  CHECK(h.out.exchanges[0].response->body.wire_size == 10);
  CHECK(h.out.exchanges[0].error == "response: 3 bytes of its 10 bytes of body are missing from the capture");
  CHECK(summary(h.out.exchanges[1]) == "GET http://h/after -> 200 'ok'");
}

TEST_CASE("Connection answers an HTTP/0.9 request with the body read until close", "[http_connection]") {
  Harness h;
  h.client("GET /old\r\n", 10);
  h.server("<html>old</html>", 20);
  h.close(30);
  REQUIRE(h.out.exchanges.size() == 1);
  const Exchange& e = h.out.exchanges[0];
  CHECK(e.request.http_version == "HTTP/0.9");
  CHECK(e.response->http_version == "HTTP/0.9");
  CHECK(summary(e) == "GET http://10.0.0.2/old -> 200 '<html>old</html>'");
}
