// HttpMessageParser's bounds: the head limit (kMaxHeadBytes), chunk-size and
// trailer lines (kMaxLineBytes), the per-body cap (max_body_bytes) and the
// shared BodyBudget that heads, held bytes and bodies are charged to.
#include <string>

#include <catch2/catch.hpp>

#include "tests/http1_parser_harness.h"

using namespace trafficdb;
using namespace trafficdb::test;

TEST_CASE("Parser accepts a head of kMaxHeadBytes and fails a longer one, then reads on", "[http1_parser]") {
  constexpr std::size_t limit = HttpMessageParser::kMaxHeadBytes;
  const std::string start = "GET /big HTTP/1.1\r\nX-Big: ";
  auto head_of = [&](std::size_t size) { return start + std::string(size - start.size() - 4, 'v') + "\r\n\r\n"; };
  for (const bool bytewise : {false, true}) {
    INFO((bytewise ? "byte by byte" : "one chunk"));
    ParserHarness h(Kind::request);
    auto feed = [&](const std::string& s) { bytewise ? h.feed_bytewise(s) : h.feed(s); };
    feed(head_of(limit));
    REQUIRE(h.events.messages.size() == 1);
    CHECK(h.events.messages[0].error.empty());
    CHECK(h.events.messages[0].headers[0].value.size() == limit - start.size() - 4);
    feed(head_of(limit + 100) + "GET /next HTTP/1.1\r\n\r\n");
    REQUIRE(h.events.messages.size() == 3);
    CHECK(h.events.described[1] ==
          "GET /big HTTP/1.1 body=''/0 head-incomplete error='its headers are longer than 64 KiB'");
    CHECK(h.events.described[2] == "GET /next HTTP/1.1 body=''/0");
  }
}

TEST_CASE("Parser applies the head limit the same way however the head is split", "[http1_parser]") {
  constexpr std::size_t size = HttpMessageParser::kMaxHeadBytes + 2;
  const std::string start = "GET /big HTTP/1.1\r\nX-Big: ";
  const std::string head = start + std::string(size - start.size() - 4, 'v') + "\r\n\r\n";
  ParserHarness whole(Kind::request), bytewise(Kind::request);
  whole.feed(head);
  bytewise.feed_bytewise(head);
  REQUIRE(whole.events.messages.size() == 1);
  REQUIRE(bytewise.events.messages.size() == 1);
  CHECK(whole.events.messages[0].error == bytewise.events.messages[0].error);
  CHECK(whole.events.messages[0].head_done == bytewise.events.messages[0].head_done);
}

TEST_CASE("Parser fails over-long chunk-size lines and malformed chunk framing", "[http1_parser]") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string prefix = "200 OK HTTP/1.1 [Transfer-Encoding: chunked] body=";
  auto parse = [&](const std::string& body) {
    ParserHarness h(Kind::response);
    h.feed(head + body);
    return h.events.described;
  };
  CHECK(parse("5;" + std::string(HttpMessageParser::kMaxLineBytes, 'e') + "\r\n") ==
        Lines{prefix + "''/0 chunked error='a chunk-size line is longer than 8 KiB'"});
  CHECK(parse("zz\r\n") == Lines{prefix + "''/0 chunked error='malformed chunk size line'"});
  CHECK(parse("3\r\nabcX\r\n") == Lines{prefix + "'abc'/3 chunked error='chunk data is not followed by CRLF'"});
  CHECK(parse("0\r\nT: " + std::string(HttpMessageParser::kMaxLineBytes, 't') + "\r\n") ==
        Lines{prefix + "''/0 chunked error='a trailer line is longer than 8 KiB'"});
}

TEST_CASE("Parser keeps at most max_body_bytes of a body and counts the rest", "[http1_parser]") {
  ParserHarness h(Kind::response, true, /*max_body=*/4);
  h.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
  CHECK(h.events.described == Lines{"200 OK HTTP/1.1 [Content-Length: 10] body='0123'/10 cut"});
}

TEST_CASE("Parser charges heads and bodies to the BodyBudget and gives them back", "[http1_parser]") {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n";  // 39 bytes
  ParserHarness h(Kind::response, true, 1u << 20, /*budget=*/50);
  h.feed(head);
  CHECK(h.budget.used() == 0);  // the head was given back when read
  h.feed(std::string(60, 'b'));
  REQUIRE(h.events.messages.size() == 1);
  CHECK(h.events.messages[0].body.size() == 50);
  CHECK(h.events.messages[0].body_cut);
  CHECK(h.events.messages[0].body_length == 60);
  CHECK(h.budget.used() == 50);  // held by the message
  h.events.messages.clear();
  CHECK(h.budget.used() == 0);

  ParserHarness small(Kind::response, true, 1u << 20, /*budget=*/20);
  small.feed(head);
  CHECK(small.events.described == Lines{"0   body=''/0 head-incomplete error='its headers could not be held: too "
                                        "much of the capture is waiting in memory'"});
  CHECK(small.budget.used() == 0);
}

// Only a head's own bytes count against the budget, not the body that
// follows it in the same chunk.
TEST_CASE("Parser reads a head that fits the budget whatever follows it in the same chunk",
          "[http1_parser]") {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n";
  ParserHarness h(Kind::response, true, 1u << 20, /*budget=*/50);
  h.feed(head + std::string(60, 'b'));
  REQUIRE(h.events.messages.size() == 1);
  CHECK(h.events.messages[0].head_done);
  CHECK(h.events.messages[0].error.empty());
  CHECK(h.events.messages[0].body.size() == 50);
}

TEST_CASE("Parser gives back the budget of a head it gave up", "[http1_parser]") {
  ParserHarness h(Kind::request);
  h.feed("GET /big HTTP/1.1\r\nX-Big: " + std::string(HttpMessageParser::kMaxHeadBytes, 'v'));
  REQUIRE(h.events.messages.size() == 1);
  CHECK(h.events.messages[0].error == "its headers are longer than 64 KiB");
  h.events.messages.clear();
  h.feed("vvvv not a request line\r\n");
  CHECK(h.budget.used() == 0);
}
