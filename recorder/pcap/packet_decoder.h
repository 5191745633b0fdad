// PacketDecoder: a captured frame down to its TCP segment.
//
// Understands the link layers captures come in (Ethernet with any number of
// 802.1Q/802.1ad tags, Linux cooked SLL and SLL2, raw IP, BSD loopback/NULL,
// NFLOG) and IPv4 and IPv6 (extension headers skipped; fragments joined by
// IpFragments). Nothing is copied for an unfragmented packet: the segment's
// payload points into the frame.
//
// A frame cut by the snapshot length keeps its true length: the segment says
// how many payload bytes were on the wire and how many were captured, so the
// reassembler can treat the rest as a gap rather than as data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/timestamp.h"
#include "recorder/pcap/ip_fragments.h"
#include "recorder/pcap/ip_endpoint.h"

namespace trafficdb {

namespace tcp_flag {
constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

struct TcpSegment {
  Endpoint src, dst;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::string_view payload;         // the captured payload bytes
  std::uint32_t payload_length = 0; // payload bytes on the wire (>= payload.size())
  Micros at = 0;
};

enum class DecodeResult {
  tcp,             // `out` holds a TCP segment
  other,           // a well-formed packet that is not TCP (UDP, ARP, ICMP, ...)
  fragment_held,   // an IP fragment, kept until its datagram is whole
  malformed,       // too short or inconsistent to read; see error()
};

class PacketDecoder {
 public:
  // `link_type` is the capture's LINKTYPE/DLT value (pcap_datalink()).
  explicit PacketDecoder(int link_type);

  // True for the link types decode() understands.
  static bool supports(int link_type);

  // Decodes one frame of `captured` bytes out of `wire_length` on the wire.
  // The segment's payload stays valid until the next call.
  DecodeResult decode(std::string_view frame, std::size_t wire_length, Micros at, TcpSegment& out);

  // Why the last frame was malformed.
  const std::string& error() const { return error_; }

 private:
  DecodeResult link(std::string_view frame, std::size_t missing, Micros at, TcpSegment& out);
  DecodeResult ethernet(std::string_view frame, std::size_t missing, Micros at, TcpSegment& out);
  DecodeResult by_ethertype(std::uint16_t type, std::string_view packet, std::size_t missing, Micros at,
                            TcpSegment& out);
  DecodeResult ip(std::string_view packet, std::size_t missing, Micros at, TcpSegment& out);
  DecodeResult ipv4(std::string_view packet, std::size_t missing, Micros at, TcpSegment& out);
  DecodeResult ipv6(std::string_view packet, std::size_t missing, Micros at, TcpSegment& out);
  DecodeResult nflog(std::string_view frame, std::size_t missing, Micros at, TcpSegment& out);
  DecodeResult tcp(const IpAddress& src, const IpAddress& dst, std::string_view transport,
                   std::size_t wire_length, Micros at, TcpSegment& out);
  DecodeResult malformed(std::string message);

  const int link_type_;
  IpFragments fragments_;
  std::string datagram_;  // a reassembled datagram's fragmentable part
  std::string error_;
};

}  // namespace trafficdb
