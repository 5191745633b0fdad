// IpFragments: joins IPv4 and IPv6 fragments back into whole datagrams.
//
// Fragments may arrive in any order and overlap (the first copy of a byte
// wins). Memory is bounded: at most kMaxDatagrams datagrams are held at once
// and kMaxHeldBytes in all; when either is reached, or a datagram has waited
// longer than kTimeout (capture time), the oldest is dropped and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/timestamp.h"
#include "recorder/pcap/ip_endpoint.h"

namespace trafficdb {

struct FragmentKey {
  IpAddress src, dst;
  std::uint32_t id = 0;
  std::uint8_t protocol = 0;
  auto operator<=>(const FragmentKey&) const = default;
};

class IpFragments {
 public:
  static constexpr std::size_t kMaxDatagrams = 1024;
  static constexpr std::size_t kMaxHeldBytes = 16u << 20;
  static constexpr std::size_t kMaxDatagramBytes = 65535;
  static constexpr Micros kTimeout = 30'000'000;

  // Adds the fragment at byte `offset` of its datagram's payload; `more` is
  // the more-fragments flag. Returns true when this completed the datagram,
  // whose payload is then in `datagram`.
  bool add(const FragmentKey& key, std::uint32_t offset, bool more, std::string_view bytes, Micros at,
           std::string& datagram);

  std::uint64_t dropped() const { return dropped_; }

 private:
  struct Pending {
    std::map<std::uint32_t, std::string> pieces;  // offset -> bytes
    std::size_t held = 0;
    std::int64_t total = -1;  // payload length once the last fragment is seen
    Micros first_at = 0;
    std::list<FragmentKey>::iterator age;
  };
  void drop_oldest();
  void erase(std::map<FragmentKey, Pending>::iterator it);

  std::map<FragmentKey, Pending> pending_;
  std::list<FragmentKey> oldest_first_;
  std::size_t held_bytes_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace trafficdb
