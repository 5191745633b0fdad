// PacketDecoder: link layers, IPv4/IPv6 and their fragments, cut frames.
#include <catch2/catch.hpp>

#include "recorder/pcap/packet_decoder.h"

using namespace trafficdb;

namespace {

void put16(std::string& s, std::size_t at, std::uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v & 0xFF);
}

std::string tcp_header(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq) {
  std::string t(20, '\0');
  put16(t, 0, sport);
  put16(t, 2, dport);
  put16(t, 4, static_cast<std::uint16_t>(seq >> 16));
  put16(t, 6, static_cast<std::uint16_t>(seq));
  t[12] = 0x50;
  t[13] = 0x18;
  return t;
}

// An IPv4 packet carrying `transport` (protocol 6) as the fragment at
// `offset` bytes, with more fragments to come when `more`.
std::string ipv4(const std::string& transport, std::uint16_t id = 1, std::uint16_t offset = 0, bool more = false) {
  std::string p(20, '\0');
  p[0] = 0x45;
  put16(p, 2, static_cast<std::uint16_t>(20 + transport.size()));
  put16(p, 4, id);
  put16(p, 6, static_cast<std::uint16_t>((more ? 0x2000 : 0) | (offset / 8)));
  p[8] = 64;
  p[9] = 6;
  const char src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
  for (int i = 0; i < 4; ++i) p[12 + i] = src[i], p[16 + i] = dst[i];
  return p + transport;
}

std::string ipv6(const std::string& payload, std::uint8_t next = 6) {
  std::string p(40, '\0');
  p[0] = 0x60;
  put16(p, 4, static_cast<std::uint16_t>(payload.size()));
  p[6] = static_cast<char>(next);
  p[7] = 64;
  p[8] = 0x20, p[9] = 0x01, p[23] = 1;   // 2001::1
  p[24] = 0x20, p[25] = 0x01, p[39] = 2;  // 2001::2
  return p + payload;
}

std::string ethernet(const std::string& packet, std::uint16_t type = 0x0800) {
  std::string f(14, '\0');
  put16(f, 12, type);
  return f + packet;
}

// Decodes a copy of `frame` kept until the next call: the segment's payload
// points into the frame, and the tests pass temporaries.
DecodeResult decode(PacketDecoder& d, const std::string& frame, TcpSegment& out, std::size_t wire = 0) {
  static std::string kept;
  kept = frame;
  return d.decode(kept, wire ? wire : kept.size(), 1000, out);
}

}  // namespace

TEST_CASE("Link layers: Ethernet with VLAN tags, SLL, SLL2, NULL in both byte orders, raw", "[pcap][decoder]") {
  const std::string packet = ipv4(tcp_header(1234, 80, 7) + "GET");
  TcpSegment s;

  PacketDecoder eth(1);
  // 802.1ad outer tag, 802.1Q inner tag, then IPv4.
  const std::string tagged =
      std::string(12, '\0') + std::string("\x88\xa8\x00\x07\x81\x00\x00\x05\x08\x00", 10) + packet;
  REQUIRE(decode(eth, tagged, s) == DecodeResult::tcp);
  CHECK(s.payload == "GET");
  CHECK(s.src.port == 1234);
  CHECK(s.seq == 7);

  PacketDecoder sll(113);
  std::string sll_frame(16, '\0');
  put16(sll_frame, 14, 0x0800);
  REQUIRE(decode(sll, sll_frame + packet, s) == DecodeResult::tcp);
  CHECK(s.payload == "GET");

  PacketDecoder sll2(276);
  std::string sll2_frame(20, '\0');
  put16(sll2_frame, 0, 0x0800);
  REQUIRE(decode(sll2, sll2_frame + packet, s) == DecodeResult::tcp);
  CHECK(s.payload == "GET");

  PacketDecoder null_link(0);
  REQUIRE(decode(null_link, std::string("\x02\x00\x00\x00", 4) + packet, s) == DecodeResult::tcp);
  REQUIRE(decode(null_link, std::string("\x00\x00\x00\x02", 4) + packet, s) == DecodeResult::tcp);
  const std::string v6 = ipv6(tcp_header(5, 6, 1) + "x");
  REQUIRE(decode(null_link, std::string("\x1e\x00\x00\x00", 4) + v6, s) == DecodeResult::tcp);  // AF_INET6 = 30 on macOS
  CHECK(s.src.ip.family == 6);
  CHECK(s.src.to_string() == "[2001::1]:5");

  PacketDecoder raw(101);
  REQUIRE(decode(raw, packet, s) == DecodeResult::tcp);
  CHECK(s.dst.to_string() == "10.0.0.2:80");

  CHECK(decode(eth, ethernet("arp", 0x0806), s) == DecodeResult::other);
  CHECK_FALSE(PacketDecoder::supports(105));  // 802.11
}

TEST_CASE("IPv4 fragments are joined in any order; the first copy wins", "[pcap][decoder]") {
  const std::string transport = tcp_header(1234, 80, 99) + std::string(40, 'a') + std::string(40, 'b');
  const std::string first = transport.substr(0, 48), middle = transport.substr(48, 24), last = transport.substr(72);
  PacketDecoder d(1);
  TcpSegment s;
  CHECK(decode(d, ethernet(ipv4(last, 9, 72, false)), s) == DecodeResult::fragment_held);
  CHECK(decode(d, ethernet(ipv4(first, 9, 0, true)), s) == DecodeResult::fragment_held);
  CHECK(decode(d, ethernet(ipv4(std::string(48, 'Z'), 9, 0, true)), s) == DecodeResult::fragment_held);  // a later copy
  REQUIRE(decode(d, ethernet(ipv4(middle, 9, 48, true)), s) == DecodeResult::tcp);
  CHECK(s.seq == 99);
  CHECK(s.payload == std::string(40, 'a') + std::string(40, 'b'));
}

TEST_CASE("IPv6 extension headers, atomic and real fragments", "[pcap][decoder]") {
  PacketDecoder d(101);
  TcpSegment s;
  const std::string tcp = tcp_header(1, 2, 3) + "hello";
  // Hop-by-hop options (8 bytes) then TCP.
  std::string hop(8, '\0');
  hop[0] = 6;
  REQUIRE(decode(d, ipv6(hop + tcp, 0), s) == DecodeResult::tcp);
  CHECK(s.payload == "hello");
  // An atomic fragment: offset 0, no more fragments.
  std::string atomic(8, '\0');
  atomic[0] = 6;
  REQUIRE(decode(d, ipv6(atomic + tcp, 44), s) == DecodeResult::tcp);
  CHECK(s.payload == "hello");
  // Two real fragments.
  auto fragment = [&](std::uint16_t offset, bool more, const std::string& bytes) {
    std::string h(8, '\0');
    h[0] = 6;
    put16(h, 2, static_cast<std::uint16_t>(offset | (more ? 1 : 0)));
    h[7] = 42;  // identification
    return ipv6(h + bytes, 44);
  };
  CHECK(decode(d, fragment(0, true, tcp.substr(0, 16)), s) == DecodeResult::fragment_held);
  REQUIRE(decode(d, fragment(16, false, tcp.substr(16)), s) == DecodeResult::tcp);
  CHECK(s.payload == "hello");

  // A fragmentable part that starts with a destination-options header (only
  // the first fragment holds it; every fragment header names it), last fragment first.
  auto fragment_of = [&](std::uint8_t first_header, std::uint16_t offset, bool more, const std::string& bytes) {
    std::string h(8, '\0');
    h[0] = static_cast<char>(first_header);
    put16(h, 2, static_cast<std::uint16_t>(offset | (more ? 1 : 0)));
    h[7] = 43;
    return ipv6(h + bytes, 44);
  };
  std::string options(16, '\0');
  options[0] = 6;  // then TCP
  options[1] = 1;  // 16 bytes
  const std::string part = options + tcp;
  CHECK(decode(d, fragment_of(60, 24, false, part.substr(24)), s) == DecodeResult::fragment_held);
  REQUIRE(decode(d, fragment_of(60, 0, true, part.substr(0, 24)), s) == DecodeResult::tcp);
  CHECK(s.payload == "hello");
  CHECK(s.payload_length == 5);
  // UDP fragments are not kept.
  CHECK(decode(d, fragment_of(17, 0, true, std::string(16, 'u')), s) == DecodeResult::other);
}

TEST_CASE("Snaplen-cut frames keep their wire payload length, padding is not payload, cut IP headers are malformed",
          "[pcap][decoder]") {
  PacketDecoder d(1);
  TcpSegment s;
  const std::string frame = ethernet(ipv4(tcp_header(1, 2, 3) + std::string(100, 'p')));
  // Cut by the snapshot length: the payload on the wire is still 100 bytes.
  REQUIRE(d.decode(std::string_view(frame).substr(0, frame.size() - 60), frame.size(), 1, s) == DecodeResult::tcp);
  CHECK(s.payload.size() == 40);
  CHECK(s.payload_length == 100);
  // Ethernet padding after a short packet is not payload.
  REQUIRE(decode(d, ethernet(ipv4(tcp_header(1, 2, 3) + "ab")) + std::string(6, '\0'), s) == DecodeResult::tcp);
  CHECK(s.payload == "ab");
  CHECK(decode(d, frame.substr(0, 20), s) == DecodeResult::malformed);
  CHECK(d.error().find("IPv4 header cut short") != std::string::npos);
  std::string long_header = frame.substr(0, 14 + 30);
  long_header[14] = 0x4F;  // says 60 bytes of IPv4 header, 30 captured
  CHECK(decode(d, long_header, s) == DecodeResult::malformed);
}
