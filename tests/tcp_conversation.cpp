#include "tests/tcp_conversation.h"

#include <pcap/pcap.h>

#include <stdexcept>

#include "tests/test_support.h"

namespace trafficdb::test {
namespace {

void put16(std::string& s, std::size_t at, std::uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v & 0xFF);
}
void put32(std::string& s, std::size_t at, std::uint32_t v) {
  put16(s, at, static_cast<std::uint16_t>(v >> 16));
  put16(s, at + 2, static_cast<std::uint16_t>(v & 0xFFFF));
}

}  // namespace

TcpConversation::TcpConversation(std::uint16_t client_port, std::uint16_t server_port, std::uint32_t client_isn,
                                 std::uint32_t server_isn)
    : client_port_(client_port),
      server_port_(server_port),
      client_isn_(client_isn),
      server_isn_(server_isn),
      client_next_(client_isn + 1),
      server_next_(server_isn + 1) {}

Frame TcpConversation::build(bool from_client, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                             const std::string& payload) {
  std::string f(14 + 20 + 20, '\0');
  put16(f, 12, 0x0800);
  f[14] = 0x45;
  put16(f, 16, static_cast<std::uint16_t>(40 + payload.size()));
  f[22] = 64;
  f[23] = 6;
  const unsigned char client_ip[4] = {10, 0, 0, 1}, server_ip[4] = {10, 0, 0, 2};
  for (int i = 0; i < 4; ++i) {
    f[26 + i] = static_cast<char>(from_client ? client_ip[i] : server_ip[i]);
    f[30 + i] = static_cast<char>(from_client ? server_ip[i] : client_ip[i]);
  }
  put16(f, 34, from_client ? client_port_ : server_port_);
  put16(f, 36, from_client ? server_port_ : client_port_);
  put32(f, 38, seq);
  put32(f, 42, ack);
  f[46] = 0x50;
  f[47] = static_cast<char>(flags);
  put16(f, 48, 65535);
  f += payload;
  clock_ += 100;
  return Frame{f, f.size(), clock_};
}

void TcpConversation::handshake() {
  frames.push_back(build(true, client_isn_, 0, 0x02, ""));
  frames.push_back(build(false, server_isn_, client_isn_ + 1, 0x12, ""));
  frames.push_back(build(true, client_isn_ + 1, server_isn_ + 1, 0x10, ""));
}

void TcpConversation::send(bool from_client, const std::string& data, std::size_t mss) {
  std::uint32_t& next = from_client ? client_next_ : server_next_;
  const std::uint32_t peer_next = from_client ? server_next_ : client_next_;
  for (std::size_t i = 0; i < data.size(); i += mss) {
    const std::string piece = data.substr(i, mss);
    frames.push_back(build(from_client, next, peer_next, 0x18, piece));
    next += static_cast<std::uint32_t>(piece.size());
    frames.push_back(build(!from_client, peer_next, next, 0x10, ""));
  }
}

void TcpConversation::client_sends(const std::string& data, std::size_t mss) { send(true, data, mss); }
void TcpConversation::server_sends(const std::string& data, std::size_t mss) { send(false, data, mss); }

void TcpConversation::client_fin() {
  frames.push_back(build(true, client_next_, server_next_, 0x11, ""));
  ++client_next_;
}
void TcpConversation::server_fin() {
  frames.push_back(build(false, server_next_, client_next_, 0x11, ""));
  ++server_next_;
}
void TcpConversation::client_rst() { frames.push_back(build(true, client_next_, server_next_, 0x14, "")); }

Frame TcpConversation::segment(bool from_client, std::uint32_t relative_seq, const std::string& payload,
                               std::uint8_t flags) {
  const std::uint32_t isn = from_client ? client_isn_ : server_isn_;
  const std::uint32_t ack = from_client ? server_next_ : client_next_;
  return build(from_client, isn + 1 + relative_seq, ack, flags, payload);
}

std::vector<Exchange> capture_exchanges(const std::vector<Frame>& frames, ImportReport* report,
                                        const CaptureOptions& options) {
  CollectingSink sink;
  ImportReport local;
  CapturePipeline pipeline(1, sink, options, report ? *report : local);
  Micros last = 0;
  for (const Frame& f : frames) {
    pipeline.add(f.bytes, f.wire_length, f.at);
    last = f.at;
  }
  pipeline.finish(last);
  return sink.snapshot();
}

void write_pcap(const std::string& path, const std::vector<Frame>& frames, int link_type) {
  pcap_t* dead = pcap_open_dead(link_type, 262144);
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  if (!dumper) throw std::runtime_error("cannot write " + path);
  for (const Frame& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_sec = f.at / 1'000'000;
    h.ts.tv_usec = f.at % 1'000'000;
    h.caplen = static_cast<bpf_u_int32>(f.bytes.size());
    h.len = static_cast<bpf_u_int32>(f.wire_length);
    pcap_dump(reinterpret_cast<u_char*>(dumper), &h, reinterpret_cast<const u_char*>(f.bytes.data()));
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
}

}  // namespace trafficdb::test
