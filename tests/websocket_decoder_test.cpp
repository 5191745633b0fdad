#include <catch2/catch.hpp>

#include "recorder/websocket_decoder.h"
#include "tests/websocket_test_frames.h"

using namespace trafficdb;
using test::ws_frame;
using Sender = WebSocketMessage::Sender;

TEST_CASE("Frames become messages: masked, fragmented, control frames between fragments", "[websocket]") {
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  const std::string big(70000, 'b');
  const std::string bytes = ws_frame(1, "hello", true, mask) + ws_frame(2, "frag1-", false, mask) +
                            ws_frame(9, "ping!", true, mask) + ws_frame(0, "frag2", true, mask) +
                            ws_frame(1, big, true, mask) + ws_frame(8, "\x03\xe8", true, mask);
  // Fed in awkward pieces, the result is the same.
  for (const std::size_t piece : {bytes.size(), std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    INFO("piece " << piece);
    WebSocketDecoder decoder(Sender::client, 1 << 20);
    std::vector<WebSocketMessage> out;
    for (std::size_t i = 0; i < bytes.size(); i += piece)
      REQUIRE(decoder.feed(std::string_view(bytes).substr(i, piece), out).is_ok());
    REQUIRE(decoder.finish().is_ok());
    REQUIRE(out.size() == 5);
    CHECK(out[0].opcode == 1);
    CHECK(out[0].payload == "hello");
    CHECK(out[0].sender == Sender::client);
    CHECK(out[1].opcode == 9);  // the ping came between the fragments
    CHECK(out[1].payload == "ping!");
    CHECK(out[2].opcode == 2);
    CHECK(out[2].payload == "frag1-frag2");
    CHECK(out[3].payload == big);
    CHECK(out[4].opcode == 8);
  }
}

TEST_CASE("permessage-deflate messages are inflated with context takeover", "[websocket]") {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  const std::string m1 = "{\"type\":\"quote\",\"symbol\":\"ACME\",\"price\":101.5}";
  const std::string m2 = "{\"type\":\"quote\",\"symbol\":\"ACME\",\"price\":101.7}";  // refers back to m1
  // Deflated in order: the second message refers back into the first.
  const std::string d1 = test::ws_deflate(zs, m1);
  const std::string d2 = test::ws_deflate(zs, m2);
  const std::string bytes = ws_frame(1, d1, true, nullptr, true) + ws_frame(1, d2, true, nullptr, true);
  deflateEnd(&zs);
  WebSocketDecoder decoder(Sender::server, 1 << 20);
  std::vector<WebSocketMessage> out;
  const Status fed = decoder.feed(bytes, out);
  INFO(fed.message());
  REQUIRE(fed.is_ok());
  REQUIRE(out.size() == 2);
  CHECK(out[0].payload == m1);
  CHECK(out[1].payload == m2);
  CHECK(out[1].size == static_cast<std::int64_t>(m2.size()));
}

TEST_CASE("Oversized messages are cut and counted; protocol errors stop decoding", "[websocket][hostile]") {
  WebSocketDecoder decoder(Sender::server, 100);
  std::vector<WebSocketMessage> out;
  REQUIRE(decoder.feed(ws_frame(2, std::string(5000, 'x')), out).is_ok());
  REQUIRE(out.size() == 1);
  CHECK(out[0].payload.size() == 100);
  CHECK(out[0].size == 5000);

  for (const std::string& bad : {ws_frame(3, "reserved"), ws_frame(0, "nothing to continue"),
                                 ws_frame(9, std::string(200, 'p')), ws_frame(9, "x", false)}) {
    WebSocketDecoder d(Sender::server, 1000);
    std::vector<WebSocketMessage> o;
    CHECK_FALSE(d.feed(bad, o).is_ok());
    CHECK_FALSE(d.finish().is_ok());
  }
  // A 64-bit length with the top bit set.
  WebSocketDecoder d(Sender::server, 1000);
  std::vector<WebSocketMessage> o;
  CHECK_FALSE(d.feed(std::string("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10), o).is_ok());

  WebSocketDecoder partial(Sender::client, 1000);
  CHECK(partial.feed(ws_frame(1, "abcdef").substr(0, 4), o).is_ok());
  CHECK_FALSE(partial.finish().is_ok());
}

TEST_CASE("A deflate bomb over many messages is bounded per message and in all", "[websocket][hostile]") {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  const std::string zeros(4u << 20, '\0');
  std::string bytes;
  for (int i = 0; i < 10; ++i) {
    const std::string d = test::ws_deflate(zs, zeros);
    bytes += ws_frame(2, d, true, nullptr, true);
  }
  deflateEnd(&zs);
  WebSocketDecoder decoder(Sender::server, 1 << 20, 3u << 20);  // 1 MiB a message, 3 MiB in all
  std::vector<WebSocketMessage> out;
  CHECK_FALSE(decoder.feed(bytes, out).is_ok());
  CHECK(out.size() == 3);  // the fourth would pass 3 MiB in all
  for (const auto& m : out) {
    CHECK(m.payload.size() == (1u << 20));
    CHECK(m.size == (4u << 20));
  }
}
