// HttpMessageParser on its own, fed byte by byte and in odd chunk splits:
// Content-Length, chunked (extensions, trailers), read-until-close and
// bodiless (Plan) framing, pipelining, obs-fold, streams that are not HTTP,
// malformed start lines, gaps in heads and bodies, the end of the stream,
// wait/resume/opaque after a message, HTTP/0.9; and the same messages for a
// stream split at every offset. Bounds and the BodyBudget are in
// http1_parser_limits_test.cpp, the helpers of http_head.h in
// http1_head_test.cpp.
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/http1_parser_harness.h"

using namespace trafficdb;
using namespace trafficdb::test;

namespace {

// Parses `input` cut at `cuts` (ascending offsets), then finishes in order.
Lines parse_split(Kind kind, std::string_view input, const std::vector<std::size_t>& cuts,
                  std::function<Plan(const HttpMessage&)> plan = {}) {
  ParserHarness h(kind);
  h.events.plan = std::move(plan);
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    h.feed(input.substr(from, cut - from));
    from = cut;
  }
  h.feed(input.substr(from));
  h.parser.finish(true, "the connection was closed", 0);
  return h.events.described;
}

const std::string kRequests =
    "GET /a?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Folded: one\r\n two\r\n\tthree\r\n\r\n"
    "POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\nhello world"
    "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1 ; ext\r\n!\r\n0\r\n"
    "X-Trailer: t\r\n\r\n"
    "\r\nDELETE /gone HTTP/1.0\n\n";
const Lines kRequestsParsed = {
    "GET /a?x=1 HTTP/1.1 [Host: example.com] [X-Folded: one two three] body=''/0",
    "POST /form HTTP/1.1 [Host: example.com] [Content-Length: 11] body='hello world'/11",
    "PUT /up HTTP/1.1 [Transfer-Encoding: chunked] body='hello!'/6 chunked {X-Trailer: t}",
    "DELETE /gone HTTP/1.0 body=''/0",
};

const std::string kResponses =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
    "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n"
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 999\r\n\r\n3;x=y\r\nabc\r\n0\r\n\r\n"
    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
const Lines kResponsesParsed = {
    "100 Continue HTTP/1.1 body=''/0",
    "200 OK HTTP/1.1 [Content-Length: 3] body='abc'/3",
    "204 No Content HTTP/1.1 [Content-Length: 9] body=''/0",
    "200 OK HTTP/1.1 [Transfer-Encoding: chunked] [Content-Length: 999] body='abc'/3 chunked",
    "200 OK HTTP/1.0 [Content-Type: text/plain] body='until the end'/13",
};

}  // namespace

TEST_CASE("Parser reads a Content-Length request fed byte by byte, with its first and last byte times",
          "[http1_parser]") {
  ParserHarness h(Kind::request);
  const std::string input = "POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  h.feed_bytewise(input);
  REQUIRE(h.events.messages.size() == 1);
  const HttpMessage& m = h.events.messages[0];
  CHECK(h.events.described[0] == "POST /submit HTTP/1.1 [Host: a] [Content-Length: 5] body='hello'/5");
  CHECK(m.is_request);
  CHECK(m.head_done);
  CHECK(m.first_at == 0);
  CHECK(m.last_at == static_cast<Micros>(input.size() - 1));
  CHECK(h.events.heads == 1);
  CHECK(h.parser.between_messages());
}

TEST_CASE("Parser joins chunks with extensions and keeps the trailers", "[http1_parser]") {
  ParserHarness h(Kind::response);
  h.feed_bytewise(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5;name=val\r\nhello\r\n6 ; ext\r\n world\r\nA\r\n0123456789\r\n000\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n");
  CHECK(h.events.described ==
        Lines{"200 OK HTTP/1.1 [Transfer-Encoding: gzip, chunked] body='hello world0123456789'/21 chunked "
              "{X-Trailer: yes} {X-Other: 2}"});
}

TEST_CASE("Parser reads a response without length until the connection closes", "[http1_parser]") {
  SECTION("closed in order: whole") {
    ParserHarness h(Kind::response);
    h.feed("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc");
    h.feed("def", 5);
    CHECK(h.events.messages.empty());
    h.parser.finish(true, "the connection was closed", 9);
    REQUIRE(h.events.messages.size() == 1);
    CHECK(h.events.described[0] == "200 OK HTTP/1.1 [Content-Type: text/plain] body='abcdef'/6");
    CHECK(h.events.messages[0].last_at == 5);
    CHECK(h.parser.ignoring());
  }
  SECTION("reset: maybe incomplete") {
    ParserHarness h(Kind::response);
    h.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nabc");
    h.parser.finish(false, "the connection was reset", 9);
    REQUIRE(h.events.messages.size() == 1);
    CHECK(h.events.messages[0].body == "abc");
    CHECK(h.events.messages[0].error ==
          "the connection was reset before the connection closed; the body may be incomplete");
  }
  SECTION("invalid Content-Length in a response: read until close, with a caveat") {
    ParserHarness h(Kind::response);
    h.feed("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcdefg");
    h.parser.finish(true, "the connection was closed", 9);
    REQUIRE(h.events.messages.size() == 1);
    CHECK(h.events.messages[0].body == "abcdefg");
    CHECK(h.events.messages[0].error == "invalid or conflicting Content-Length; body read until close");
  }
}

TEST_CASE("Parser gives no body to responses the plan says have none (HEAD, 1xx, 204, 304)", "[http1_parser]") {
  ParserHarness h(Kind::response);
  h.events.plan = no_body_for_1xx_204_304;
  h.feed_bytewise(
      "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n"
      "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  CHECK(h.events.described == Lines{"103 Early Hints HTTP/1.1 [Link: </s.css>] body=''/0",
                                    "304 Not Modified HTTP/1.1 [Content-Length: 7] body=''/0",
                                    "204 No Content HTTP/1.1 [Transfer-Encoding: chunked] body=''/0",
                                    "200 OK HTTP/1.1 [Content-Length: 0] body=''/0",
                                    "200 OK HTTP/1.1 [Content-Length: 2] body='ok'/2"});
  CHECK(h.parser.between_messages());
}

TEST_CASE("Parser gives a request without Content-Length or chunked no body", "[http1_parser]") {
  ParserHarness h(Kind::request);
  h.feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  CHECK(h.events.described == Lines{"GET /a HTTP/1.1 body=''/0", "GET /b HTTP/1.1 [Content-Length: 0] body=''/0"});
}

TEST_CASE("Parser fails requests whose length cannot be known and finds the next one", "[http1_parser]") {
  ParserHarness h(Kind::request);
  h.feed("POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello\r\n"
         "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\nxx\r\n"
         "GET /c HTTP/1.1\r\n\r\n");
  CHECK(h.events.described ==
        Lines{"POST /a HTTP/1.1 [Content-Length: 5] [Content-Length: 6] body=''/0 "
              "error='invalid or conflicting Content-Length'",
              "POST /b HTTP/1.1 [Transfer-Encoding: chunked, gzip] body=''/0 "
              "error='Transfer-Encoding without chunked last: the request's length cannot be known'",
              "GET /c HTTP/1.1 body=''/0"});
}

TEST_CASE("Parser reads pipelined messages from one buffer", "[http1_parser]") {
  CHECK(parse_split(Kind::request, kRequests, {}) == kRequestsParsed);
  CHECK(parse_split(Kind::response, kResponses, {}, no_body_for_1xx_204_304) == kResponsesParsed);
}

TEST_CASE("Parser gives the same messages for a stream split at every offset", "[http1_parser]") {
  for (std::size_t i = 0; i <= kRequests.size(); ++i) {
    INFO("requests cut at " << i);
    REQUIRE(parse_split(Kind::request, kRequests, {i}) == kRequestsParsed);
  }
  for (std::size_t i = 0; i <= kResponses.size(); ++i) {
    INFO("responses cut at " << i);
    REQUIRE(parse_split(Kind::response, kResponses, {i}, no_body_for_1xx_204_304) == kResponsesParsed);
  }
  // Two cuts close together (a line end, a chunk-size line split twice).
  for (std::size_t i = 0; i < kRequests.size(); ++i)
    for (std::size_t j = i + 1; j <= std::min(kRequests.size(), i + 6); ++j) {
      INFO("requests cut at " << i << " and " << j);
      REQUIRE(parse_split(Kind::request, kRequests, {i, j}) == kRequestsParsed);
    }
  // Byte by byte, and random chunkings (fixed seed).
  std::vector<std::size_t> every(kResponses.size());
  for (std::size_t i = 0; i < every.size(); ++i) every[i] = i;
  CHECK(parse_split(Kind::response, kResponses, every, no_body_for_1xx_204_304) == kResponsesParsed);
  std::mt19937 rng(20240611);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0; at < kRequests.size();) {
      at += 1 + rng() % 23;
      if (at < kRequests.size()) cuts.push_back(at);
    }
    REQUIRE(parse_split(Kind::request, kRequests, cuts) == kRequestsParsed);
  }
}

TEST_CASE("Parser ignores a stream whose known start is not HTTP/1.x", "[http1_parser]") {
  SECTION("TLS from the client") {
    ParserHarness h(Kind::request);
    h.feed(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
    CHECK(h.events.not_http == Lines{"the client's first bytes are not an HTTP/1.x request line"});
    CHECK(h.parser.ignoring());
    h.feed("GET / HTTP/1.1\r\n\r\n");
    CHECK(h.events.messages.empty());
  }
  SECTION("an SSH banner from the server") {
    ParserHarness h(Kind::response);
    h.feed("SSH-2.0-OpenSSH_9.6\r\n");
    CHECK(h.events.not_http == Lines{"the server's first bytes are not an HTTP/1.x status line"});
    CHECK(h.parser.ignoring());
  }
  SECTION("HTTP/2 with prior knowledge") {
    ParserHarness h(Kind::request);
    h.feed("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    CHECK(h.events.not_http == Lines{"HTTP/2 with prior knowledge (not decoded)"});
    CHECK(h.events.messages.empty());
  }
  SECTION("a first line too long to be a request line") {
    ParserHarness h(Kind::request);
    h.feed_bytewise("GET /" + std::string(HttpMessageParser::kMaxLineBytes, 'a'));
    CHECK(h.events.not_http.size() == 1);
    CHECK(h.parser.ignoring());
  }
}

TEST_CASE("Parser skips lines that start no message when the stream's start was not seen", "[http1_parser]") {
  ParserHarness h(Kind::response, /*start_known=*/false);
  h.feed_bytewise("ly the rest of a body\r\nHTTP/1.1 is not here\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  CHECK(h.events.not_http.empty());
  CHECK(h.events.described == Lines{"200 OK HTTP/1.1 [Content-Length: 1] body='x'/1"});
}

TEST_CASE("Parser skips a malformed start line after the first message and reads on", "[http1_parser]") {
  ParserHarness h(Kind::request);
  h.feed("GET /a HTTP/1.1\r\n\r\nBROKEN LINE HERE\r\nX: y\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  CHECK(h.events.not_http.empty());
  CHECK(h.events.described == Lines{"GET /a HTTP/1.1 body=''/0", "GET /b HTTP/1.1 body=''/0"});
}

TEST_CASE("Parser skips a gap inside a Content-Length body and counts it missing", "[http1_parser]") {
  ParserHarness h(Kind::request);
  h.feed("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabcd");
  h.parser.gap(3, 1);
  h.feed("hij", 2);
  h.feed("GET /next HTTP/1.1\r\n\r\n", 3);
  CHECK(h.events.described ==
        Lines{"POST / HTTP/1.1 [Content-Length: 10] body='abcd'/10 missing=3 "
              "error='3 bytes of its 10 bytes of body are missing from the capture'",
              "GET /next HTTP/1.1 body=''/0"});
}

TEST_CASE("Parser ends a body at a gap that runs past it and finds the next message", "[http1_parser]") {
  ParserHarness h(Kind::response);
  h.feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
  h.parser.gap(2 + 30, 1);  // the body's last 2 bytes and 30 of what followed
  h.feed("tail of a lost message\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 2);
  CHECK(h.events.described ==
        Lines{"200 OK HTTP/1.1 [Content-Length: 4] body='ab'/4 missing=2 "
              "error='2 bytes of its 4 bytes of body are missing from the capture'",
              "404 Not Found HTTP/1.1 [Content-Length: 0] body=''/0"});
}

TEST_CASE("Parser hands on a message with a gap in its head or chunk framing as incomplete", "[http1_parser]") {
  SECTION("in the headers") {
    ParserHarness h(Kind::request);
    h.feed("GET / HTTP/1.1\r\nHost: a\r\n");
    h.parser.gap(10, 1);
    CHECK(h.events.described == Lines{"GET / HTTP/1.1 body=''/0 head-incomplete "
                                      "error='the capture is missing 10 bytes inside its headers'"});
    CHECK(h.events.heads == 0);
  }
  SECTION("before a start line is whole: nothing to hand on") {
    ParserHarness h(Kind::request);
    h.feed("GET / HT");
    h.parser.gap(1, 1);
    h.feed("\r\nGET /b HTTP/1.1\r\n\r\n");
    CHECK(h.events.described == Lines{"GET /b HTTP/1.1 body=''/0"});
  }
  SECTION("inside a chunk") {
    ParserHarness h(Kind::response);
    h.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nab");
    h.parser.gap(2, 1);
    h.feed("ef\r\n0\r\n\r\n");
    CHECK(h.events.described == Lines{"200 OK HTTP/1.1 [Transfer-Encoding: chunked] body='ab'/6 missing=2 chunked "
                                      "error='2 bytes of its 6 bytes of body are missing from the capture'"});
  }
  SECTION("across a chunk boundary") {
    ParserHarness h(Kind::response);
    h.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nab");
    h.parser.gap(9, 1);
    CHECK(h.events.described ==
          Lines{"200 OK HTTP/1.1 [Transfer-Encoding: chunked] body='ab'/6 missing=4 chunked error='the capture is "
                "missing 9 bytes across a chunk boundary; the rest of the body is lost'"});
  }
  SECTION("in a chunk-size line") {
    ParserHarness h(Kind::response);
    h.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1");
    h.parser.gap(1, 1);
    CHECK(h.events.described == Lines{"200 OK HTTP/1.1 [Transfer-Encoding: chunked] body=''/0 chunked "
                                      "error='the capture is missing 1 byte of its chunked body'"});
  }
  SECTION("in a body read until close") {
    ParserHarness h(Kind::response);
    h.feed("HTTP/1.1 200 OK\r\n\r\nabc");
    h.parser.gap(5, 1);
    h.feed("xyz");
    h.parser.finish(true, "the connection was closed", 2);
    CHECK(h.events.described == Lines{"200 OK HTTP/1.1 body='abc'/11 missing=5 "
                                      "error='5 bytes of its 11 bytes of body are missing from the capture'"});
  }
}

TEST_CASE("Parser hands on what is in progress when the stream ends", "[http1_parser]") {
  auto finished = [](Kind kind, const std::string& bytes) {
    ParserHarness h(kind);
    h.feed(bytes);
    h.parser.finish(false, "the connection was reset", 1);
    return h.events.described;
  };
  CHECK(finished(Kind::request, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab") ==
        Lines{"POST / HTTP/1.1 [Content-Length: 5] body='ab'/2 error='the connection was reset 3 bytes before the "
              "end of the body'"});
  CHECK(finished(Kind::request, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab") ==
        Lines{"POST / HTTP/1.1 [Transfer-Encoding: chunked] body='ab'/2 chunked error='the connection was reset "
              "before the end of the chunked body'"});
  CHECK(finished(Kind::request, "GET / HTTP/1.1\r\nHost:") ==
        Lines{"GET / HTTP/1.1 body=''/0 head-incomplete error='the connection was reset before the end of its "
              "headers'"});
  CHECK(finished(Kind::request, "GET / HTTP/1.1\r\n\r\n\r\n") == Lines{"GET / HTTP/1.1 body=''/0"});
}

TEST_CASE("Parser holds the bytes after a waiting message until resume or become_opaque", "[http1_parser]") {
  auto wait_plan = [](const HttpMessage&) {
    Plan p;
    p.after = Plan::After::wait;
    return p;
  };
  const std::string upgrade = "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  SECTION("resume: parsed as HTTP") {
    ParserHarness h(Kind::request);
    h.events.plan = wait_plan;
    h.feed(upgrade + "GET /next HTTP/1.1\r\n\r\n");
    CHECK(h.events.described.size() == 1);
    h.events.plan = {};
    h.parser.resume(5);
    CHECK(h.events.described.size() == 2);
    CHECK(h.events.described[1] == "GET /next HTTP/1.1 body=''/0");
  }
  SECTION("become_opaque: handed on as they are, and so is what follows") {
    ParserHarness h(Kind::request);
    h.events.plan = wait_plan;
    h.feed(upgrade + "\x81\x02hi");
    h.parser.become_opaque(5);
    h.feed("more");
    h.parser.gap(7, 6);
    CHECK(h.events.described.size() == 1);
    CHECK(h.events.opaque == "\x81\x02himore");
    CHECK(h.events.opaque_gaps == std::vector<std::uint64_t>{7});
  }
  SECTION("a gap while held: resume looks for the next message start") {
    ParserHarness h(Kind::request);
    h.events.plan = wait_plan;
    h.feed(upgrade);
    h.parser.gap(4, 1);
    h.feed(" HTTP/1.1\r\n\r\nGET /found HTTP/1.1\r\n\r\n");
    h.events.plan = {};
    h.parser.resume(5);
    CHECK(h.events.described.size() == 2);
    CHECK(h.events.described.back() == "GET /found HTTP/1.1 body=''/0");
  }
}

// Bytes held after a waiting message (CONNECT, Upgrade) keep the place of a
// gap among them: "GET /lost" + [4 bytes missing] + " HTTP/1.1" is not read
// as a request that was never sent.
TEST_CASE("Parser does not join held bytes from either side of a gap into a message",
          "[http1_parser]") {
  ParserHarness h(Kind::request);
  h.events.plan = [](const HttpMessage&) {
    Plan p;
    p.after = Plan::After::wait;
    return p;
  };
  h.feed("CONNECT example.com:443 HTTP/1.1\r\n\r\nGET /lost");
  h.parser.gap(4, 1);
  h.feed(" HTTP/1.1\r\n\r\nGET /found HTTP/1.1\r\n\r\n");
  h.events.plan = {};
  h.parser.resume(5);
  CHECK(h.events.described ==
        Lines{"CONNECT example.com:443 HTTP/1.1 body=''/0", "GET /found HTTP/1.1 body=''/0"});
}

TEST_CASE("Parser reads HTTP/0.9: a bare request line and a body-only response until close", "[http1_parser]") {
  ParserHarness req(Kind::request);
  req.feed_bytewise("GET /index.html\r\n");
  CHECK(req.events.described == Lines{"GET /index.html HTTP/0.9 body=''/0"});
  CHECK(req.events.messages[0].head_done);

  ParserHarness res(Kind::response);
  res.events.http09 = true;
  res.feed("<html>old</html>");
  res.parser.finish(true, "the connection was closed", 1);
  CHECK(res.events.described == Lines{"200  HTTP/0.9 body='<html>old</html>'/16 head-incomplete"});
  CHECK(res.events.heads == 0);
}
