// TcpConversation: builds the Ethernet/IPv4/TCP frames of a made-up TCP
// connection, for tests of the pcap source that need exact control over
// segments (order, duplicates, overlaps, gaps, sequence numbers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/timestamp.h"
#include "model/exchange.h"
#include "model/import_report.h"
#include "recorder/pcap/capture_pipeline.h"

namespace trafficdb::test {

struct Frame {
  std::string bytes;
  std::size_t wire_length = 0;
  Micros at = 0;
};

class TcpConversation {
 public:
  TcpConversation(std::uint16_t client_port = 40000, std::uint16_t server_port = 80,
                  std::uint32_t client_isn = 1000, std::uint32_t server_isn = 5000);

  void handshake();
  // Data in segments of at most `mss`, each acknowledged by the peer.
  void client_sends(const std::string& data, std::size_t mss = 1460);
  void server_sends(const std::string& data, std::size_t mss = 1460);
  void client_fin();
  void server_fin();
  void client_rst();
  // A segment at an explicit sequence number (relative to the sender's ISN + 1).
  Frame segment(bool from_client, std::uint32_t relative_seq, const std::string& payload, std::uint8_t flags = 0x18);

  std::vector<Frame> frames;

 private:
  Frame build(bool from_client, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, const std::string& payload);
  void send(bool from_client, const std::string& data, std::size_t mss);
  std::uint16_t client_port_, server_port_;
  std::uint32_t client_isn_, server_isn_;
  std::uint32_t client_next_, server_next_;
  Micros clock_ = 1'700'000'000'000'000;
};

// The frames through a CapturePipeline (Ethernet) into exchanges.
std::vector<Exchange> capture_exchanges(const std::vector<Frame>& frames, ImportReport* report = nullptr,
                                        const CaptureOptions& options = {});

// Writes the frames as a pcap file with the given link type (frames must match it).
void write_pcap(const std::string& path, const std::vector<Frame>& frames, int link_type = 1);

}  // namespace trafficdb::test
