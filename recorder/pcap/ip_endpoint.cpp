#include "recorder/pcap/ip_endpoint.h"

#include <arpa/inet.h>

namespace trafficdb {

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family == 6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

std::string Endpoint::to_string() const {
  const std::string address = ip.to_string();
  return (ip.family == 6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace trafficdb
