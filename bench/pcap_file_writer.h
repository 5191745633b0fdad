// Writes a classic libpcap capture file (magic 0xa1b2c3d4: microsecond
// timestamps; LINKTYPE_ETHERNET) of TCP segments over IPv4, framing each in
// Ethernet II, IPv4 (no options, DF) and TCP headers with correct IPv4 and
// TCP checksums. Every packet is captured whole (no snaplen truncation).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace bench {

struct Ipv4Endpoint {
  std::array<std::uint8_t, 6> mac{};
  std::uint32_t ip = 0;  // host byte order: 10.0.0.1 is 0x0a000001
  std::uint16_t port = 0;
};

namespace tcp_flags {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

struct TcpSegment {
  std::int64_t time_us = 0;  // capture time, microseconds since the Unix epoch
  const Ipv4Endpoint* src = nullptr;
  const Ipv4Endpoint* dst = nullptr;
  std::uint8_t ttl = 64;
  std::uint16_t ip_id = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;  // tcp_flags
  std::uint16_t window = 0;
  std::string_view options;  // TCP options, a multiple of 4 bytes, at most 40
  std::string_view payload;
};

class PcapFileWriter {
 public:
  // Creates (truncates) `path` and writes the file header. Throws
  // std::runtime_error when the file cannot be written.
  explicit PcapFileWriter(const std::string& path);
  PcapFileWriter(const PcapFileWriter&) = delete;
  PcapFileWriter& operator=(const PcapFileWriter&) = delete;
  ~PcapFileWriter();  // closes without reporting errors; call close() to know

  void write(const TcpSegment& s);

  // Flushes and closes; throws std::runtime_error on a write error.
  void close();

  std::uint64_t packets() const { return packets_; }
  std::uint64_t bytes() const { return bytes_; }  // file size so far

 private:
  void put(const void* data, std::size_t size);

  std::string path_;
  std::FILE* file_ = nullptr;
  std::uint64_t packets_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace bench
