// Classic pcap output of Ethernet/IPv4/TCP packets; see pcap_file_writer.h.

#include "pcap_file_writer.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bench {
namespace {

constexpr std::uint32_t kSnapLen = 262144;
constexpr std::uint32_t kLinkTypeEthernet = 1;
constexpr std::size_t kEthernetHeader = 14, kIpv4Header = 20, kTcpHeader = 20;

void put16(std::uint8_t* p, std::uint16_t v) {  // network byte order
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}

void put32_le(std::uint8_t* p, std::uint32_t v) {  // the pcap headers: written little-endian
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// The RFC 1071 sum of `size` bytes as big-endian 16-bit words, unfolded.
std::uint64_t sum_words(const std::uint8_t* p, std::size_t size) {
  std::uint64_t sum = 0;
  for (; size >= 2; p += 2, size -= 2) sum += static_cast<std::uint64_t>(p[0]) << 8 | p[1];
  if (size) sum += static_cast<std::uint64_t>(p[0]) << 8;
  return sum;
}

std::uint16_t fold(std::uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace

PcapFileWriter::PcapFileWriter(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) throw std::runtime_error(path + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  std::uint8_t header[24] = {};
  put32_le(header, 0xa1b2c3d4);
  header[4] = 2;  // version 2.4
  header[6] = 4;
  put32_le(header + 16, kSnapLen);
  put32_le(header + 20, kLinkTypeEthernet);
  put(header, sizeof header);
}

PcapFileWriter::~PcapFileWriter() {
  if (file_) std::fclose(file_);
}

void PcapFileWriter::put(const void* data, std::size_t size) {
  if (size && std::fwrite(data, 1, size, file_) != size) throw std::runtime_error(path_ + ": " + std::strerror(errno));
  bytes_ += size;
}

void PcapFileWriter::write(const TcpSegment& s) {
  const std::size_t tcp_header = kTcpHeader + s.options.size();
  const std::size_t ip_length = kIpv4Header + tcp_header + s.payload.size();
  const std::size_t frame = kEthernetHeader + ip_length;
  std::uint8_t h[16 + kEthernetHeader + kIpv4Header + kTcpHeader + 40] = {};

  // pcap record header
  put32_le(h, static_cast<std::uint32_t>(s.time_us / 1000000));
  put32_le(h + 4, static_cast<std::uint32_t>(s.time_us % 1000000));
  put32_le(h + 8, static_cast<std::uint32_t>(frame));
  put32_le(h + 12, static_cast<std::uint32_t>(frame));

  // Ethernet II
  std::uint8_t* eth = h + 16;
  std::memcpy(eth, s.dst->mac.data(), 6);
  std::memcpy(eth + 6, s.src->mac.data(), 6);
  put16(eth + 12, 0x0800);

  // IPv4
  std::uint8_t* ip = eth + kEthernetHeader;
  ip[0] = 0x45;
  put16(ip + 2, static_cast<std::uint16_t>(ip_length));
  put16(ip + 4, s.ip_id);
  put16(ip + 6, 0x4000);  // DF
  ip[8] = s.ttl;
  ip[9] = 6;  // TCP
  put32(ip + 12, s.src->ip);
  put32(ip + 16, s.dst->ip);
  put16(ip + 10, fold(sum_words(ip, kIpv4Header)));

  // TCP
  std::uint8_t* tcp = ip + kIpv4Header;
  put16(tcp, s.src->port);
  put16(tcp + 2, s.dst->port);
  put32(tcp + 4, s.seq);
  put32(tcp + 8, s.ack);
  tcp[12] = static_cast<std::uint8_t>((tcp_header / 4) << 4);
  tcp[13] = s.flags;
  put16(tcp + 14, s.window);
  std::memcpy(tcp + kTcpHeader, s.options.data(), s.options.size());
  const std::size_t tcp_length = tcp_header + s.payload.size();
  std::uint64_t sum = sum_words(ip + 12, 8) + 6 + tcp_length;  // pseudo-header
  sum += sum_words(tcp, tcp_header);
  sum += sum_words(reinterpret_cast<const std::uint8_t*>(s.payload.data()), s.payload.size());
  put16(tcp + 16, fold(sum));

  put(h, 16 + kEthernetHeader + kIpv4Header + tcp_header);
  put(s.payload.data(), s.payload.size());
  ++packets_;
}

void PcapFileWriter::close() {
  if (!file_) return;
  const bool ok = std::fflush(file_) == 0;
  const int error = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) throw std::runtime_error(path_ + ": " + std::strerror(error));
}

}  // namespace bench
