// libFuzzer target: frames through the whole pcap pipeline (link layers, IP,
// fragments, TCP reassembly, HTTP). Each record builds one Ethernet frame of
// an IPv4 TCP segment between two fixed hosts whose sequence number, flags
// and payload come from the input, so the fuzzer explores reordering,
// overlaps, gaps, wraparound and FIN/RST orders; a record may instead be a
// raw frame, to reach the header parsers.
//
// Input: records of [control][seq hi][seq lo][length][length bytes].
// control bit 0: direction; bits 1-5: TCP flags FIN SYN RST ACK (shifted);
// bit 6: raw frame (the bytes are the whole frame); bit 7: cut the frame
// short by half (snaplen).
#include <cstddef>
#include <cstdint>
#include <string>

#include "recorder/pcap/capture_pipeline.h"

namespace {

class Discard final : public trafficdb::ExchangeSink {
 public:
  trafficdb::Status consume(trafficdb::Exchange&&) override { return trafficdb::Status::ok(); }
};

void put16(std::string& s, std::size_t at, std::uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v & 0xFF);
}

std::string tcp_frame(bool from_client, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                      std::string_view payload) {
  std::string f(54, '\0');
  put16(f, 12, 0x0800);
  f[14] = 0x45;
  put16(f, 16, static_cast<std::uint16_t>(40 + payload.size()));
  f[23] = 6;
  const char a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
  for (int i = 0; i < 4; ++i) {
    f[26 + i] = from_client ? a[i] : b[i];
    f[30 + i] = from_client ? b[i] : a[i];
  }
  put16(f, 34, from_client ? 40000 : 80);
  put16(f, 36, from_client ? 80 : 40000);
  put16(f, 38, static_cast<std::uint16_t>(seq >> 16));
  put16(f, 40, static_cast<std::uint16_t>(seq));
  put16(f, 42, static_cast<std::uint16_t>(ack >> 16));
  put16(f, 44, static_cast<std::uint16_t>(ack));
  f[46] = 0x50;
  f[47] = static_cast<char>(flags);
  f.append(payload);
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trafficdb;
  Discard sink;
  ImportReport report;
  CaptureOptions options;
  options.http.max_body_bytes = 1u << 16;
  options.body_budget_bytes = 1u << 20;
  options.reassembly.max_waiting_bytes = 1u << 16;
  options.reassembly.max_waiting_total = 1u << 20;
  CapturePipeline pipeline(1, sink, options, report);
  std::size_t i = 0;
  Micros at = 1'000'000;
  // Sequence numbers start near the top of the space, so wraparound is near.
  const std::uint32_t base[2] = {0xFFFFF000u, 0x7FFFFF00u};
  while (i + 4 <= size) {
    const std::uint8_t control = data[i];
    const std::uint32_t offset = static_cast<std::uint32_t>(data[i + 1]) << 8 | data[i + 2];
    const std::size_t length = std::min<std::size_t>(data[i + 3], size - i - 4);
    const std::string_view payload(reinterpret_cast<const char*>(data + i + 4), length);
    i += 4 + length;
    const bool from_client = control & 1;
    std::string frame;
    if (control & 0x40) {
      frame = std::string(payload);
    } else {
      const std::uint8_t bits = (control >> 1) & 0x1F;
      const std::uint8_t flags = static_cast<std::uint8_t>((bits & 1 ? 0x01 : 0) | (bits & 2 ? 0x02 : 0) |
                                                           (bits & 4 ? 0x04 : 0) | (bits & 8 ? 0x10 : 0));
      frame = tcp_frame(from_client, base[from_client ? 0 : 1] + offset * 16, base[from_client ? 1 : 0] + offset * 16,
                        flags, payload);
    }
    const std::size_t wire = frame.size();
    if (control & 0x80) frame.resize(frame.size() / 2);
    pipeline.add(frame, wire, at += 1000);
  }
  pipeline.finish(at);
  return 0;
}
