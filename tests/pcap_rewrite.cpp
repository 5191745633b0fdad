#include "tests/pcap_rewrite.h"

#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>

namespace trafficdb::test {

namespace {

constexpr std::size_t kEthernetHeader = 14;
constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04;

// Where the parts of an IPv4 TCP packet lie in its frame.
struct TcpSegment {
  std::size_t ip = 0, tcp = 0, payload = 0, payload_size = 0;
  std::string from, to;  // address and port of each end, as raw bytes
  std::uint8_t flags = 0;

  bool control() const { return flags & (kSyn | kFin | kRst); }
};

std::uint32_t get_be(const std::string& d, std::size_t at, int bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | static_cast<std::uint8_t>(d[at + i]);
  return v;
}

void put_be(std::string& d, std::size_t at, int bytes, std::uint32_t v) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) d[at + i] = static_cast<char>(v & 0xff);
}

std::optional<TcpSegment> parse_tcp(const std::string& frame) {
  const std::size_t ip = kEthernetHeader;
  if (frame.size() < ip + 20 || get_be(frame, 12, 2) != 0x0800) return std::nullopt;
  const std::size_t ip_header = (frame[ip] & 0x0f) * 4u, ip_total = get_be(frame, ip + 2, 2);
  if ((frame[ip] & 0xf0) != 0x40 || frame[ip + 9] != 6 || ip + ip_total > frame.size()) return std::nullopt;
  TcpSegment s;
  s.ip = ip;
  s.tcp = ip + ip_header;
  if (s.tcp + 20 > ip + ip_total) return std::nullopt;
  s.payload = s.tcp + (static_cast<std::uint8_t>(frame[s.tcp + 12]) >> 4) * 4u;
  if (s.payload > ip + ip_total) return std::nullopt;
  s.payload_size = ip + ip_total - s.payload;
  s.from = frame.substr(ip + 12, 4) + frame.substr(s.tcp, 2);
  s.to = frame.substr(ip + 16, 4) + frame.substr(s.tcp + 2, 2);
  s.flags = static_cast<std::uint8_t>(frame[s.tcp + 13]);
  return s;
}

std::vector<std::optional<TcpSegment>> parse_all(const PcapFile& file) {
  std::vector<std::optional<TcpSegment>> segments;
  for (const auto& p : file.packets) segments.push_back(parse_tcp(p.data));
  return segments;
}

bool carries_data(const std::optional<TcpSegment>& s) { return s && s->payload_size > 0; }

bool may_swap(const std::optional<TcpSegment>& a, const std::optional<TcpSegment>& b) {
  if (!a || !b || a->control() || b->control()) return false;
  return !(a->from == b->to && a->to == b->from);
}

// The Internet checksum of `bytes` added to a running `sum`.
std::uint32_t add_ones_complement(const std::string& bytes, std::uint32_t sum) {
  for (std::size_t i = 0; i < bytes.size(); i += 2)
    sum += get_be(bytes, i, 1) << 8 | (i + 1 < bytes.size() ? get_be(bytes, i + 1, 1) : 0);
  return sum;
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// The packet with only bytes [from, to) of its TCP payload, its sequence
// number, IP length and both checksums set to match.
PcapPacket tcp_piece(const PcapPacket& p, const TcpSegment& s, std::size_t from, std::size_t to) {
  PcapPacket piece{p.sec, p.usec, p.data.substr(0, s.payload) + p.data.substr(s.payload + from, to - from)};
  std::string& d = piece.data;
  put_be(d, s.ip + 2, 2, static_cast<std::uint32_t>(d.size() - s.ip));
  put_be(d, s.tcp + 4, 4, get_be(d, s.tcp + 4, 4) + static_cast<std::uint32_t>(from));
  put_be(d, s.ip + 10, 2, 0);
  put_be(d, s.ip + 10, 2, fold(add_ones_complement(d.substr(s.ip, s.tcp - s.ip), 0)));
  put_be(d, s.tcp + 16, 2, 0);
  const std::string segment = d.substr(s.tcp);
  const std::uint32_t pseudo_header =
      add_ones_complement(d.substr(s.ip + 12, 8), 6 + static_cast<std::uint32_t>(segment.size()));
  put_be(d, s.tcp + 16, 2, fold(add_ones_complement(segment, pseudo_header)));
  return piece;
}

}  // namespace

PcapFile read_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE] = "";
  std::unique_ptr<pcap_t, decltype(&pcap_close)> in(pcap_open_offline(path.c_str(), err), &pcap_close);
  if (!in) throw std::runtime_error("cannot read " + path + ": " + err);
  PcapFile file;
  file.linktype = pcap_datalink(in.get());
  if (file.linktype != DLT_EN10MB) throw std::runtime_error(path + " is not an Ethernet capture");
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(in.get(), &header, &data)) == 1) {
    if (header->caplen != header->len) throw std::runtime_error(path + " holds a packet cut short");
    file.packets.push_back(
        {header->ts.tv_sec, header->ts.tv_usec, std::string(reinterpret_cast<const char*>(data), header->caplen)});
  }
  if (rc != PCAP_ERROR_BREAK) throw std::runtime_error("cannot read " + path + ": " + pcap_geterr(in.get()));
  return file;
}

void write_pcap(const std::string& path, const PcapFile& file) {
  std::unique_ptr<pcap_t, decltype(&pcap_close)> dead(pcap_open_dead(file.linktype, 262144), &pcap_close);
  std::unique_ptr<pcap_dumper_t, decltype(&pcap_dump_close)> out(pcap_dump_open(dead.get(), path.c_str()),
                                                                 &pcap_dump_close);
  if (!out) throw std::runtime_error("cannot write " + path + ": " + pcap_geterr(dead.get()));
  for (const auto& p : file.packets) {
    pcap_pkthdr header{};
    header.ts.tv_sec = p.sec;
    header.ts.tv_usec = p.usec;
    header.caplen = header.len = static_cast<bpf_u_int32>(p.data.size());
    pcap_dump(reinterpret_cast<u_char*>(out.get()), &header, reinterpret_cast<const u_char*>(p.data.data()));
  }
  if (pcap_dump_flush(out.get()) != 0) throw std::runtime_error("cannot write " + path);
}

std::string tcp_payload(const PcapPacket& packet) {
  const auto segment = parse_tcp(packet.data);
  return segment ? packet.data.substr(segment->payload, segment->payload_size) : std::string();
}

PcapFile reorder_nearby(const PcapFile& in, std::size_t max_shift, unsigned seed) {
  const auto segments = parse_all(in);
  const std::size_t n = in.packets.size();
  std::vector<std::size_t> order(n);  // order[place] = index of the packet now there
  std::iota(order.begin(), order.end(), 0);
  const auto within_reach = [max_shift](std::size_t place, std::size_t index) {
    return (place > index ? place - index : index - place) <= max_shift;
  };
  std::mt19937 random(seed);
  for (int pass = 0; pass < 3; ++pass)
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const std::size_t a = order[i], b = order[i + 1];
      if (random() % 2 && within_reach(i + 1, a) && within_reach(i, b) && may_swap(segments[a], segments[b]))
        std::swap(order[i], order[i + 1]);
    }
  PcapFile out{in.linktype, in.packets};
  for (std::size_t i = 0; i < n; ++i) out.packets[i].data = in.packets[order[i]].data;
  return out;
}

PcapFile duplicate_segments(const PcapFile& in, std::size_t every) {
  const auto segments = parse_all(in);
  PcapFile out{in.linktype, {}};
  std::size_t seen = 0;
  for (std::size_t i = 0; i < in.packets.size(); ++i) {
    out.packets.push_back(in.packets[i]);
    if (carries_data(segments[i]) && ++seen % every == 0) out.packets.push_back(in.packets[i]);
  }
  return out;
}

PcapFile split_overlapping(const PcapFile& in, std::size_t every) {
  const auto segments = parse_all(in);
  PcapFile out{in.linktype, {}};
  std::size_t seen = 0;
  for (std::size_t i = 0; i < in.packets.size(); ++i) {
    const auto& s = segments[i];
    if (s && !s->control() && s->payload_size >= 3 && ++seen % every == 0) {
      const std::size_t size = s->payload_size;
      out.packets.push_back(tcp_piece(in.packets[i], *s, 0, size * 2 / 3));
      out.packets.push_back(tcp_piece(in.packets[i], *s, size / 3, size));
    } else {
      out.packets.push_back(in.packets[i]);
    }
  }
  return out;
}

}  // namespace trafficdb::test
