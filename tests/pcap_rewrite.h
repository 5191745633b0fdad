// Reads and writes pcap files, and rewrites their TCP packets the ways a
// capture can differ from a clean one: segments out of order, retransmitted,
// or resent as overlapping pieces. The bytes each side sent stay the same, so
// an importer should find the same exchanges in the rewritten file.
//
// Only Ethernet captures (what tcpdump writes on Linux `lo`) are read.
// Packets other than IPv4 TCP are kept as they are and never moved.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace trafficdb::test {

struct PcapPacket {
  long sec = 0, usec = 0;  // capture time
  std::string data;        // the whole frame
  bool operator==(const PcapPacket&) const = default;
};

struct PcapFile {
  int linktype = 0;
  std::vector<PcapPacket> packets;
};

// Throws std::runtime_error when the file cannot be read, is not Ethernet,
// or holds a packet cut short by the snapshot length.
PcapFile read_pcap(const std::string& path);
void write_pcap(const std::string& path, const PcapFile& file);  // throws std::runtime_error

// The TCP payload of an IPv4 TCP packet; "" for anything else.
std::string tcp_payload(const PcapPacket& packet);

// Packets moved by up to `max_shift` places, by random swaps of neighbours
// (seeded, so every run gives the same file). SYN, FIN and RST packets never
// move, and two packets of one connection going opposite ways are never
// swapped: a response never comes before its request. Timestamps stay with
// their places, so the file stays in time order.
PcapFile reorder_nearby(const PcapFile& in, std::size_t max_shift, unsigned seed);

// Every `every`-th packet carrying TCP data is followed by a copy of itself,
// as a retransmission would be.
PcapFile duplicate_segments(const PcapFile& in, std::size_t every);

// Every `every`-th packet carrying 3 or more bytes of TCP data, without SYN,
// FIN or RST, becomes two: its first two thirds, then its last two thirds, so
// the middle third arrives twice. Lengths and checksums are set to match.
PcapFile split_overlapping(const PcapFile& in, std::size_t every);

}  // namespace trafficdb::test
