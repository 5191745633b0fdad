// The pcap source end to end on made-up TCP conversations: reassembly, HTTP
// framing, pairing, gaps and hostile input (frames -> CapturePipeline ->
// exchanges).
#include <algorithm>
#include <random>

#include <catch2/catch.hpp>

#include "tests/tcp_conversation.h"
#include "tests/test_support.h"
#include "tests/websocket_test_frames.h"

using namespace trafficdb;
using trafficdb::test::capture_exchanges;
using trafficdb::test::Frame;
using trafficdb::test::TcpConversation;
using trafficdb::test::ws_frame;

namespace {

std::string response(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra + "\r\n" + body;
}

std::string chunked(const std::vector<std::string>& chunks, const std::string& trailers = "") {
  std::string s;
  char size[32];
  for (const std::string& c : chunks) {
    std::snprintf(size, sizeof size, "%zx", c.size());
    s += std::string(size) + "\r\n" + c + "\r\n";
  }
  return s + "0\r\n" + trailers + "\r\n";
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return s;
}

}  // namespace

TEST_CASE("Keep-alive exchanges with Content-Length and chunked bodies", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /one?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
  c.server_sends(response(200, "hello", "Content-Type: text/plain\r\n"));
  c.client_sends("GET /two HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
  c.server_sends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     chunked({"abc", pattern(3000), "xyz"}, "X-Checksum: 42\r\n"),
                 700);
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 2);
  CHECK(ex[0].request.method == "GET");
  CHECK(ex[0].request.url == "http://example.com/one?x=1");
  CHECK(ex[0].request.host == "example.com");
  CHECK(ex[0].request.path == "/one");
  CHECK(ex[0].request.query == "x=1");
  CHECK(ex[0].response->status == 200);
  CHECK(ex[0].response->body.data == "hello");
  CHECK(ex[0].error.empty());
  CHECK(ex[0].client_addr == "10.0.0.1:40000");
  CHECK(ex[0].server_addr == "10.0.0.2:80");
  REQUIRE(ex[0].timings.started);
  CHECK(*ex[0].timings.started <= *ex[0].timings.request_sent);
  CHECK(*ex[0].timings.request_sent < *ex[0].timings.response_started);
  CHECK(*ex[0].timings.response_started <= *ex[0].timings.ended);

  CHECK(ex[1].request.url == "http://example.com:8080/two");
  CHECK(ex[1].request.port == 8080);
  CHECK(ex[1].response->body.data == "abc" + pattern(3000) + "xyz");
  CHECK(ex[1].response->body.wire_size == 3006);
  CHECK(ex[1].details.find("X-Checksum") != std::string::npos);
  CHECK(ex[1].error.empty());
}

TEST_CASE("Pipelined requests pair with their responses in order, HEAD in the middle", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends(
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends(response(200, "AAAA") + "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" +
                 "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked({"CCC"}));
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 3);
  CHECK(ex[0].request.path == "/a");
  CHECK(ex[0].response->body.data == "AAAA");
  CHECK(ex[1].request.method == "HEAD");
  CHECK(ex[1].response->status == 200);
  CHECK(ex[1].response->body.data.empty());
  CHECK(ex[2].request.path == "/c");
  CHECK(ex[2].response->status == 404);
  CHECK(ex[2].response->body.data == "CCC");
  for (const auto& e : ex) CHECK(e.error.empty());
}

TEST_CASE("100 Continue is informational, not the response", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  c.server_sends("HTTP/1.1 100 Continue\r\n\r\n");
  c.client_sends("DATA");
  c.server_sends(response(201, "made"));
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].request.body.data == "DATA");
  CHECK(ex[0].response->status == 201);
  CHECK(ex[0].response->body.data == "made");
  CHECK(ex[0].details.find("\"status\":100") != std::string::npos);
}

TEST_CASE("Reordered, duplicated and overlapping segments give the same bytes; the first copy wins", "[pcap]") {
  const std::string body = pattern(6000);
  TcpConversation c;
  c.handshake();
  c.client_sends("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string wire = response(200, body);
  c.server_sends(wire, 1000);
  c.client_fin();
  c.server_fin();
  const auto expected = capture_exchanges(c.frames);
  REQUIRE(expected.size() == 1);
  REQUIRE(expected[0].response->body.data == body);

  // Shuffle the data segments within windows, duplicate some, and add an
  // overlapping segment with different bytes after the originals.
  std::vector<Frame> frames = c.frames;
  std::mt19937 rng(7);
  for (std::size_t i = 3; i + 4 < frames.size(); i += 4) std::shuffle(frames.begin() + i, frames.begin() + i + 4, rng);
  std::vector<Frame> noisy;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    noisy.push_back(frames[i]);
    if (i % 3 == 0) noisy.push_back(frames[i]);
  }
  TcpConversation forger;
  noisy.insert(noisy.end() - 2, forger.segment(false, 500, std::string(1500, '!')));
  const auto got = capture_exchanges(noisy);
  REQUIRE(got.size() == 1);
  CHECK(got[0].response->body.data == body);
  CHECK(got[0].error.empty());
}

TEST_CASE("Sequence numbers that wrap around 2^32 still give the whole request and response", "[pcap]") {
  TcpConversation c(40000, 80, 0xFFFFFF00u, 0xFFFFFFF0u);
  c.handshake();
  c.client_sends("GET /w HTTP/1.1\r\nHost: h\r\n\r\n", 10);
  c.server_sends(response(200, pattern(2000)), 300);
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].request.path == "/w");
  CHECK(ex[0].response->body.data == pattern(2000));
}

TEST_CASE("A connection without a SYN, on a non-standard port, with a non-standard method is still recorded",
          "[pcap]") {
  TcpConversation c(51000, 9999);
  c.client_sends("QUERY /search HTTP/1.1\r\nHost: h:9999\r\nContent-Length: 2\r\n\r\n{}");
  c.server_sends(response(200, "[]"));
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].request.method == "QUERY");
  CHECK(ex[0].request.url == "http://h:9999/search");
  CHECK(ex[0].response->body.data == "[]");
}

TEST_CASE("A hole inside a body of known length is skipped; the next exchange still parses", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::size_t before = c.frames.size();
  c.server_sends(response(200, pattern(5000)), 1000);
  // Lose the third data segment (and keep its ACK, which acknowledges past the hole).
  c.frames.erase(c.frames.begin() + static_cast<std::ptrdiff_t>(before + 4));
  c.client_sends("GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends(response(200, "ok"));
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 2);
  CHECK(ex[0].response->status == 200);
  CHECK(ex[0].response->body.wire_size == 5000);
  CHECK(ex[0].error.find("1000 bytes of its 5000 bytes of body are missing") != std::string::npos);
  CHECK(ex[1].request.path == "/next");
  CHECK(ex[1].response->body.data == "ok");
  CHECK(ex[1].error.empty());
}

TEST_CASE("A hole in a chunked body leaves the exchange incomplete", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /c HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::size_t before = c.frames.size();
  c.server_sends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked({pattern(300), pattern(300), pattern(300)}), 200);
  c.frames.erase(c.frames.begin() + static_cast<std::ptrdiff_t>(before + 4));
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].response->status == 200);
  CHECK_FALSE(ex[0].error.empty());
}

TEST_CASE("Snaplen-cut packets are gaps, not data", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::size_t before = c.frames.size();
  c.server_sends(response(200, pattern(3000)), 1000);
  Frame& cut = c.frames[before + 2];  // the second data segment
  cut.bytes.resize(cut.bytes.size() - 600);
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].error.find("600 bytes of its 3000 bytes of body are missing") != std::string::npos);
  const std::string& kept = ex[0].response->body.data;
  CHECK(pattern(3000).compare(0, kept.size(), kept) == 0);  // a true prefix, never the wrong bytes
}

TEST_CASE("Requests and responses missing their other half are stored with an error saying so",
          "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /lost HTTP/1.1\r\nHost: h\r\n\r\n");
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].request.path == "/lost");
  CHECK_FALSE(ex[0].response);
  CHECK(ex[0].error == "no response in capture");

  TcpConversation r(40001, 80);
  r.server_sends(response(200, "orphan"));
  const auto only = capture_exchanges(r.frames);
  REQUIRE(only.size() == 1);
  CHECK(only[0].response->body.data == "orphan");
  CHECK(only[0].error == "no request in capture");
}

TEST_CASE("A response captured before its request is still paired with it", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /late HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends(response(200, "early"));
  // Move the response's segment before the request's.
  std::swap(c.frames[3], c.frames[5]);
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].request.path == "/late");
  CHECK(ex[0].response->body.data == "early");
}

TEST_CASE("An RST in the middle of a response body keeps the response, with an error counting the missing bytes",
          "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
  c.client_rst();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].response->status == 200);
  CHECK(ex[0].error.find("reset") != std::string::npos);
  CHECK(ex[0].error.find("90 bytes before the end of the body") != std::string::npos);
}

TEST_CASE("Compressed bodies are decoded; wire and decoded sizes are both kept", "[pcap]") {
  const std::string text = "{\"items\":[" + std::string(5000, '1') + "]}";
  const std::string gz = test::gzip(text);
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /gz HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends(response(200, gz, "Content-Encoding: gzip\r\n"));
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].response->body.data == text);
  CHECK(ex[0].response->body.size == static_cast<std::int64_t>(text.size()));
  CHECK(ex[0].response->body.wire_size == static_cast<std::int64_t>(gz.size()));
  CHECK(ex[0].response->body.encoding == "gzip");
}

TEST_CASE("A gzip bomb is cut at the body cap", "[pcap]") {
  const std::string gz = test::gzip(std::string(64u << 20, 'z'));
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /bomb HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends(response(200, gz, "Content-Encoding: gzip\r\n"));
  c.client_fin();
  c.server_fin();
  CaptureOptions options;
  options.http.max_body_bytes = 1u << 20;
  ImportReport report;
  const auto ex = capture_exchanges(c.frames, &report, options);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].response->body.data.size() == (1u << 20));
  CHECK_FALSE(ex[0].response->body.size);
  CHECK(report.problem_count == 1);
}

TEST_CASE("WebSocket messages after a 101 go with the upgrade exchange", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  c.server_sends("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  c.client_sends(ws_frame(1, "hello", true, "abcd"));
  c.server_sends(ws_frame(1, "world") + ws_frame(2, std::string("\x01\x02", 2)));
  c.client_sends(ws_frame(8, "", true, "abcd"));
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].response->status == 101);
  REQUIRE(ex[0].websocket_messages.size() == 4);
  CHECK(ex[0].websocket_messages[0].sender == WebSocketMessage::Sender::client);
  CHECK(ex[0].websocket_messages[0].payload == "hello");
  CHECK(ex[0].websocket_messages[1].payload == "world");
  CHECK(ex[0].websocket_messages[2].opcode == 2);
  CHECK(ex[0].websocket_messages[3].opcode == 8);
  CHECK(ex[0].error.empty());
}

TEST_CASE("CONNECT with 200 is a tunnel: HTTP parsing ends there", "[pcap]") {
  TcpConversation c(40000, 3128);
  c.handshake();
  c.client_sends("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  c.server_sends("HTTP/1.1 200 Connection established\r\n\r\n");
  c.client_sends(std::string("\x16\x03\x01\x02\x00", 5) + pattern(200));
  c.server_sends(std::string("\x16\x03\x03\x00\x40", 5) + pattern(64));
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].tunnel);
  CHECK(ex[0].request.url == "example.com:443");
  CHECK(ex[0].request.host == "example.com");
  CHECK(ex[0].request.port == 443);
}

TEST_CASE("A request line a server would take, though malformed, is stored with an error saying what was wrong",
          "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /first HTTP/1.\r\nHost: h\r\n\r\n");
  c.server_sends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  c.client_sends("CONNECT h:443 HTTP/1.1 extra\r\nHost: h\r\n\r\n");
  c.server_sends("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  c.client_fin();
  c.server_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 2);
  CHECK(ex[0].request.url == "http://h/first");
  CHECK(ex[0].response->status == 200);
  CHECK(ex[0].error == "request: malformed request line: malformed HTTP version 'HTTP/1.' (read as HTTP/1.1)");
  CHECK(ex[1].request.method == "CONNECT");
  CHECK(ex[1].response->status == 403);
  CHECK(ex[1].error == "request: malformed request line: extra text after the version: 'extra'");
}

TEST_CASE("A connection that is neither HTTP nor TLS is skipped, whatever its port", "[pcap]") {
  TcpConversation c(40000, 80);
  c.handshake();
  c.server_sends("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
  c.client_sends("SSH-2.0-OpenSSH_9.2p1\r\n" + pattern(200));
  ImportReport report;
  const auto ex = capture_exchanges(c.frames, &report);
  CHECK(ex.empty());
  CHECK(report.problem_count == 0);
}

TEST_CASE("A TLS connection whose handshake is not TLS the reader can follow is one row that says so", "[pcap][tls]") {
  TcpConversation c(40000, 80);
  c.handshake();
  c.client_sends(std::string("\x16\x03\x01\x00\xc8\x01", 6) + pattern(200));
  c.server_sends(std::string("\x16\x03\x03\x00\x40", 5) + pattern(64));
  ImportReport report;
  const auto ex = capture_exchanges(c.frames, &report);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].tunnel);
  CHECK(ex[0].request.scheme == "https");
  CHECK(ex[0].request.url == "10.0.0.2:80");
  CHECK(ex[0].error.rfind("TLS not decrypted: ", 0) == 0);
  CHECK(ex[0].request.body.wire_size == std::optional<std::int64_t>(206));
}

TEST_CASE("HTTP/0.9: a request line alone, answered by the body until close", "[pcap]") {
  TcpConversation c;
  c.handshake();
  c.client_sends("GET /old.html\r\n");
  c.server_sends("<html>old</html>");
  c.server_fin();
  c.client_fin();
  const auto ex = capture_exchanges(c.frames);
  REQUIRE(ex.size() == 1);
  CHECK(ex[0].request.http_version == "HTTP/0.9");
  CHECK(ex[0].response->body.data == "<html>old</html>");
  CHECK(ex[0].error.empty());
}

TEST_CASE("Hostile framing: no crash, no hang, no allocation by declared sizes", "[pcap][hostile]") {
  SECTION("Content-Length overflow") {
    TcpConversation c;
    c.handshake();
    c.client_sends("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\nxx");
    c.client_fin();
    const auto ex = capture_exchanges(c.frames);
    REQUIRE(ex.size() == 1);
    CHECK(ex[0].error.find("Content-Length") != std::string::npos);
  }
  SECTION("Chunk size past 2^64") {
    TcpConversation c;
    c.handshake();
    c.client_sends("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    c.server_sends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffffffff\r\nabc");
    c.server_fin();
    const auto ex = capture_exchanges(c.frames);
    REQUIRE(ex.size() == 1);
    CHECK(ex[0].error.find("chunk size") != std::string::npos);
  }
  SECTION("A 1 GB Content-Length with 10 bytes of body") {
    TcpConversation c;
    c.handshake();
    c.client_sends("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    c.server_sends("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n0123456789");
    c.server_fin();
    c.client_fin();
    const auto ex = capture_exchanges(c.frames);
    REQUIRE(ex.size() == 1);
    CHECK(ex[0].response->body.data == "0123456789");
    CHECK(ex[0].error.find("999999990 bytes before the end of the body") != std::string::npos);
  }
  SECTION("Headers past 64 KiB") {
    TcpConversation c;
    c.handshake();
    std::string big = "GET / HTTP/1.1\r\nHost: h\r\n";
    for (int i = 0; i < 2000; ++i) big += "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'f') + "\r\n";
    c.client_sends(big + "\r\n");
    c.client_sends("GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
    c.server_sends(response(200, "a"));
    c.client_fin();
    c.server_fin();
    const auto ex = capture_exchanges(c.frames);
    REQUIRE_FALSE(ex.empty());
    CHECK(ex[0].error.find("longer than 64 KiB") != std::string::npos);
    CHECK(std::any_of(ex.begin(), ex.end(), [](const Exchange& e) { return e.request.path == "/after"; }));
  }
  SECTION("Transfer-Encoding and Content-Length together: chunked wins") {
    TcpConversation c;
    c.handshake();
    c.client_sends("POST /s HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n" +
                   chunked({"smuggled"}) + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    c.server_sends(response(200, "1") + response(200, "2"));
    c.client_fin();
    c.server_fin();
    const auto ex = capture_exchanges(c.frames);
    REQUIRE(ex.size() == 2);
    CHECK(ex[0].request.body.data == "smuggled");
    CHECK(ex[1].request.path == "/x");
  }
  SECTION("Obsolete line folding and bare LF line ends") {
    TcpConversation c;
    c.handshake();
    c.client_sends("get /lower HTTP/1.0\nHost: h\nX-Folded: one\n  two\n\n");
    c.server_sends("HTTP/1.0 200 OK\nContent-Length: 2\n\nok");
    c.client_fin();
    c.server_fin();
    const auto ex = capture_exchanges(c.frames);
    REQUIRE(ex.size() == 1);
    CHECK(ex[0].request.method == "get");
    CHECK(find_header(ex[0].request.headers, "X-Folded") == "one two");
    CHECK(ex[0].response->body.data == "ok");
  }
}

TEST_CASE("Unfinished heads on many connections count against the shared budget", "[pcap][hostile]") {
  std::vector<Frame> frames;
  for (std::uint16_t i = 0; i < 10; ++i) {
    TcpConversation c(static_cast<std::uint16_t>(41000 + i), 80);
    c.handshake();
    c.client_sends("GET /slow HTTP/1.1\r\nHost: h\r\nX-Pad: " + std::string(20000, 'p'));
    frames.insert(frames.end(), c.frames.begin(), c.frames.end());
  }
  CaptureOptions options;
  options.body_budget_bytes = 64u << 10;
  const auto ex = capture_exchanges(frames, nullptr, options);
  std::size_t refused = 0;
  for (const Exchange& e : ex) {
    CHECK_FALSE(e.error.empty());
    if (e.error.find("could not be held") != std::string::npos) ++refused;
  }
  CHECK(refused >= 6);  // 64 KiB holds three of the ten 20 KB heads
}
