// Captures the TCP traffic of one port on the loopback interface into a pcap
// file with tcpdump, for tests that import real captures.
#pragma once

#include <string>
#include <sys/types.h>

namespace trafficdb::test {

// Why loopback captures cannot run here (not root; tcpdump or curl missing),
// or "" when they can.
std::string loopback_capture_unavailable();

class LoopbackCapture {
 public:
  // Starts `tcpdump -i lo` for `tcp port PORT`, writing every packet whole to
  // `pcap_path`, and returns once tcpdump is listening. Throws
  // std::runtime_error, with tcpdump's messages, when it does not start.
  LoopbackCapture(const std::string& pcap_path, int port);
  // Kills tcpdump if stop() was not called.
  ~LoopbackCapture();
  LoopbackCapture(const LoopbackCapture&) = delete;
  LoopbackCapture& operator=(const LoopbackCapture&) = delete;

  // Gives tcpdump a moment to write the last packets, stops it (it flushes
  // the file on SIGINT) and waits for it. Throws std::runtime_error when it
  // failed or the kernel dropped packets, so the file would be incomplete.
  void stop();

 private:
  void kill_tcpdump();

  std::string err_path_;
  pid_t pid_ = -1;
};

}  // namespace trafficdb::test
