// The TLS workload: a capture of real HTTPS traffic with its key log, made
// on loopback by real peers — nginx (Debian's nginx-light) serving
// API-sized JSON over TLS 1.2 and 1.3 with ALPN h2 and http/1.1, curl
// fetching them with SSLKEYLOGFILE set, tcpdump writing the packets. Needs
// root, nginx, curl, openssl and tcpdump.
//
// The exchanges are spread over `connections` curl runs, one keep-alive
// connection each: even runs speak HTTP/2, odd ones HTTP/1.1; the second
// half of the runs is held to TLS 1.2, the first half negotiates TLS 1.3.
#pragma once

#include <cstdint>
#include <string>

namespace bench::tls_workload {

struct CaptureOptions {
  std::uint64_t exchanges = 40000;
  std::uint64_t connections = 8;
  std::uint64_t seed = 1;
};

struct CaptureResult {
  std::uint64_t requests = 0;        // what curl asked for
  std::uint64_t logged = 0;          // what nginx logged answering
  std::uint64_t kernel_dropped = 0;  // packets tcpdump says the kernel dropped
};

// Writes the capture to `pcap` and its key log to `keylog`. Throws
// std::runtime_error saying which peer failed.
CaptureResult make_capture(const std::string& pcap, const std::string& keylog, const CaptureOptions& options);

// "" when the peers are there; else what is missing.
std::string peers_missing();

}  // namespace bench::tls_workload
