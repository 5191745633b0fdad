// IP addresses and TCP endpoints as packets carry them.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace trafficdb {

struct IpAddress {
  std::uint8_t family = 4;  // 4 or 6
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

  static IpAddress v4(const unsigned char* p) {
    IpAddress a;
    a.family = 4;
    std::memcpy(a.bytes.data(), p, 4);
    return a;
  }
  static IpAddress v6(const unsigned char* p) {
    IpAddress a;
    a.family = 6;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
  }
  bool operator==(const IpAddress&) const = default;
  auto operator<=>(const IpAddress&) const = default;

  // "10.0.0.1" or "2001:db8::1" (RFC 5952 text form).
  std::string to_string() const;
};

struct Endpoint {
  IpAddress ip;
  std::uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
  auto operator<=>(const Endpoint&) const = default;

  // "10.0.0.1:80" or "[2001:db8::1]:80", as exchanges.client_addr stores it.
  std::string to_string() const;
};

}  // namespace trafficdb
