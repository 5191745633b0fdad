#include "recorder/pcap/packet_decoder.h"

#include <pcap/dlt.h>

namespace trafficdb {
namespace {

// Link types by their pcap-file LINKTYPE numbers; libpcap hands some of them
// over as the platform's DLT value instead, so both are listed.
constexpr int kLinktypeRaw = 101;
constexpr int kLinktypeIpv4 = 228;
constexpr int kLinktypeIpv6 = 229;
constexpr int kLinktypeLinuxSll2 = 276;
constexpr int kLinktypeNflog = 239;
constexpr int kLinktypeLoop = 108;

constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
constexpr std::uint16_t kEthertypeIpv6 = 0x86DD;
constexpr std::uint8_t kProtocolTcp = 6;

std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const unsigned char* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[1] << 8 | p[0]); }
const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

bool is_vlan_tag(std::uint16_t type) { return type == 0x8100 || type == 0x88A8 || type == 0x9100 || type == 0x9200; }

}  // namespace

PacketDecoder::PacketDecoder(int link_type) : link_type_(link_type) {}

bool PacketDecoder::supports(int link_type) {
  switch (link_type) {
    case DLT_NULL: case kLinktypeLoop: case DLT_EN10MB: case DLT_RAW: case kLinktypeRaw:
    case 14 /* DLT_RAW on OpenBSD */: case kLinktypeIpv4: case kLinktypeIpv6: case DLT_LINUX_SLL:
    case kLinktypeLinuxSll2: case kLinktypeNflog:
      return true;
    default:
      return false;
  }
}

DecodeResult PacketDecoder::malformed(std::string message) {
  error_ = std::move(message);
  return DecodeResult::malformed;
}

DecodeResult PacketDecoder::decode(std::string_view frame, std::size_t wire_length, Micros at, TcpSegment& out) {
  const std::size_t missing = wire_length > frame.size() ? wire_length - frame.size() : 0;
  return link(frame, missing, at, out);
}

DecodeResult PacketDecoder::link(std::string_view frame, std::size_t missing, Micros at, TcpSegment& out) {
  const unsigned char* p = bytes_of(frame);
  switch (link_type_) {
    case DLT_EN10MB:
      return ethernet(frame, missing, at, out);
    case DLT_RAW: case kLinktypeRaw: case 14: case kLinktypeIpv4: case kLinktypeIpv6:
      return ip(frame, missing, at, out);
    case DLT_NULL: case kLinktypeLoop: {
      // A 4-byte address family: host order for NULL (either order may come
      // from another machine), network order for LOOP. AF_INET is 2
      // everywhere; AF_INET6 is 10, 24, 28 or 30 depending on the OS, so the
      // IP version nibble decides.
      if (frame.size() < 4) return malformed("loopback header cut short");
      return ip(frame.substr(4), missing, at, out);
    }
    case DLT_LINUX_SLL:
      if (frame.size() < 16) return malformed("Linux cooked (SLL) header cut short");
      return by_ethertype(be16(p + 14), frame.substr(16), missing, at, out);
    case kLinktypeLinuxSll2:
      if (frame.size() < 20) return malformed("Linux cooked (SLL2) header cut short");
      return by_ethertype(be16(p), frame.substr(20), missing, at, out);
    case kLinktypeNflog:
      return nflog(frame, missing, at, out);
    default:
      return malformed("link type " + std::to_string(link_type_) + " is not supported");
  }
}

DecodeResult PacketDecoder::ethernet(std::string_view frame, std::size_t missing, Micros at, TcpSegment& out) {
  if (frame.size() < 14) return malformed("Ethernet header cut short");
  const unsigned char* p = bytes_of(frame);
  std::size_t offset = 12;
  std::uint16_t type = be16(p + offset);
  while (is_vlan_tag(type)) {  // 802.1Q, 802.1ad (QinQ) and the older QinQ tags
    offset += 4;
    if (frame.size() < offset + 2) return malformed("VLAN tag cut short");
    type = be16(p + offset);
  }
  return by_ethertype(type, frame.substr(offset + 2), missing, at, out);
}

DecodeResult PacketDecoder::by_ethertype(std::uint16_t type, std::string_view packet, std::size_t missing, Micros at,
                                         TcpSegment& out) {
  if (type == kEthertypeIpv4 || type == kEthertypeIpv6) return ip(packet, missing, at, out);
  return DecodeResult::other;
}

DecodeResult PacketDecoder::nflog(std::string_view frame, std::size_t missing, Micros at, TcpSegment& out) {
  // A 4-byte header, then TLVs whose length and type are in the capturing
  // host's byte order (little-endian on every machine that matters); the
  // packet is the payload TLV (type 9). Lengths include the 4-byte TLV header
  // and TLVs are padded to 4 bytes.
  constexpr std::uint16_t kPayloadTlv = 9;
  if (frame.size() < 4) return malformed("NFLOG header cut short");
  std::size_t offset = 4;
  while (offset + 4 <= frame.size()) {
    const unsigned char* tlv = bytes_of(frame) + offset;
    const std::uint16_t length = le16(tlv);
    const std::uint16_t type = le16(tlv + 2);
    if (length < 4) return malformed("NFLOG TLV with length " + std::to_string(length));
    if (type == kPayloadTlv) {
      const std::size_t available = std::min<std::size_t>(length - 4, frame.size() - offset - 4);
      return ip(frame.substr(offset + 4, available), missing, at, out);
    }
    offset += (length + 3u) & ~3u;
  }
  return DecodeResult::other;  // a log message without a packet
}

DecodeResult PacketDecoder::ip(std::string_view packet, std::size_t missing, Micros at, TcpSegment& out) {
  if (packet.empty()) return malformed("no IP header");
  switch (bytes_of(packet)[0] >> 4) {
    case 4: return ipv4(packet, missing, at, out);
    case 6: return ipv6(packet, missing, at, out);
    default: return DecodeResult::other;
  }
}

DecodeResult PacketDecoder::ipv4(std::string_view packet, std::size_t missing, Micros at, TcpSegment& out) {
  if (packet.size() < 20) return malformed("IPv4 header cut short");
  const unsigned char* p = bytes_of(packet);
  const std::size_t header_length = std::size_t{p[0] & 0x0Fu} * 4;
  const std::size_t total_length = be16(p + 2);
  if (header_length < 20 || packet.size() < header_length) return malformed("IPv4 header length is wrong");
  if (total_length < header_length) {
    // TCP segmentation offload writes 0 here; trust the captured length then.
    if (total_length != 0) return malformed("IPv4 total length is shorter than its header");
  }
  std::size_t wire = total_length ? total_length : packet.size() + missing;
  // Ethernet pads short frames: the IP length says where the packet ends.
  if (packet.size() > wire) packet = packet.substr(0, wire);
  const std::size_t captured = packet.size();

  const IpAddress src = IpAddress::v4(p + 12), dst = IpAddress::v4(p + 16);
  const std::uint8_t protocol = p[9];
  const std::uint16_t fragment = be16(p + 6);
  const bool more_fragments = fragment & 0x2000;
  const std::uint32_t fragment_offset = (fragment & 0x1FFFu) * 8u;
  if (more_fragments || fragment_offset) {
    if (protocol != kProtocolTcp) return DecodeResult::other;
    if (captured < wire) return DecodeResult::other;  // a cut fragment cannot be joined
    FragmentKey key{src, dst, be16(p + 4), protocol};
    if (!fragments_.add(key, fragment_offset, more_fragments, packet.substr(header_length), at, datagram_))
      return DecodeResult::fragment_held;
    return tcp(src, dst, datagram_, datagram_.size(), at, out);
  }
  if (protocol != kProtocolTcp) return DecodeResult::other;
  return tcp(src, dst, packet.substr(header_length), wire - header_length, at, out);
}

namespace {

// Follows the IPv6 extension headers other than Fragment from `next` at
// `offset` in `data`, leaving both at the first header it does not skip.
// Returns what is wrong, or nullptr.
const char* skip_ipv6_options(std::string_view data, std::uint8_t& next, std::size_t& offset, int& headers) {
  const unsigned char* p = bytes_of(data);
  for (;; ++headers) {
    if (headers > 16) return "IPv6 has too many extension headers";
    switch (next) {
      case 0: case 43: case 60: case 135: case 139: case 140:  // hop-by-hop, routing, destination, mobility, HIP, shim6
        if (data.size() < offset + 8) return "IPv6 extension header cut short";
        next = p[offset];
        offset += (std::size_t{p[offset + 1]} + 1) * 8;
        continue;
      case 51:  // authentication header: length in 4-byte units, minus 2
        if (data.size() < offset + 8) return "IPv6 authentication header cut short";
        next = p[offset];
        offset += (std::size_t{p[offset + 1]} + 2) * 4;
        continue;
      default:
        return offset > data.size() ? "IPv6 extension headers run past the packet" : nullptr;
    }
  }
}

// Whether a fragmentable part starting with header `next` can hold TCP.
bool may_carry_tcp(std::uint8_t next) {
  switch (next) {
    case kProtocolTcp: case 43: case 60: case 51: case 135: case 139: case 140: return true;
    default: return false;
  }
}

}  // namespace

DecodeResult PacketDecoder::ipv6(std::string_view packet, std::size_t missing, Micros at, TcpSegment& out) {
  if (packet.size() < 40) return malformed("IPv6 header cut short");
  const unsigned char* p = bytes_of(packet);
  const std::size_t payload_length = be16(p + 4);
  std::size_t wire = payload_length ? 40 + payload_length : packet.size() + missing;  // 0: a jumbogram
  if (packet.size() > wire) packet = packet.substr(0, wire);
  const IpAddress src = IpAddress::v6(p + 8), dst = IpAddress::v6(p + 24);

  std::uint8_t next = p[6];
  std::size_t offset = 40;
  int headers = 0;
  for (;;) {
    if (const char* error = skip_ipv6_options(packet, next, offset, headers)) return malformed(error);
    if (next != 44) break;
    if (packet.size() < offset + 8) return malformed("IPv6 fragment header cut short");
    next = p[offset];
    const std::uint16_t field = be16(p + offset + 2);
    const std::uint32_t fragment_offset = (field >> 3) * 8u;
    const bool more_fragments = field & 1;
    const std::uint32_t fragment_id = be32(p + offset + 4);
    offset += 8;
    ++headers;
    // An atomic fragment (offset 0, no more) is a whole packet: go on to the
    // next header. In a real fragment the bytes after this header are part of
    // the fragmentable part, which may begin with more extension headers
    // (only the first fragment holds them; every fragment names the first).
    if (fragment_offset == 0 && !more_fragments) continue;
    if (!may_carry_tcp(next) || packet.size() < wire) return DecodeResult::other;
    FragmentKey key{src, dst, fragment_id, next};
    if (!fragments_.add(key, fragment_offset, more_fragments, packet.substr(offset), at, datagram_))
      return DecodeResult::fragment_held;
    std::size_t inner = 0;
    int inner_headers = 0;
    if (const char* error = skip_ipv6_options(datagram_, next, inner, inner_headers)) return malformed(error);
    if (next != kProtocolTcp) return DecodeResult::other;
    const std::string_view transport = std::string_view(datagram_).substr(inner);
    return tcp(src, dst, transport, transport.size(), at, out);
  }
  if (next != kProtocolTcp) return DecodeResult::other;
  return tcp(src, dst, packet.substr(offset), wire - offset, at, out);
}

DecodeResult PacketDecoder::tcp(const IpAddress& src, const IpAddress& dst, std::string_view transport,
                                std::size_t wire_length, Micros at, TcpSegment& out) {
  if (transport.size() < 20) return malformed("TCP header cut short");
  const unsigned char* p = bytes_of(transport);
  const std::size_t header_length = static_cast<std::size_t>(p[12] >> 4) * 4;
  if (header_length < 20 || transport.size() < header_length) return malformed("TCP header length is wrong");
  if (wire_length < header_length) return malformed("TCP header is longer than its IP packet");
  out.src = Endpoint{src, be16(p)};
  out.dst = Endpoint{dst, be16(p + 2)};
  out.seq = be32(p + 4);
  out.ack = be32(p + 8);
  out.flags = p[13];
  out.payload = transport.substr(header_length);
  out.payload_length = static_cast<std::uint32_t>(wire_length - header_length);
  if (out.payload.size() > out.payload_length) out.payload = out.payload.substr(0, out.payload_length);
  out.at = at;
  return DecodeResult::tcp;
}

}  // namespace trafficdb
