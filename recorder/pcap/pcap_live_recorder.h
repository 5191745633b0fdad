// PcapLiveRecorder: captures from a network interface with libpcap and
// stores the HTTP/1.x exchanges it sees, as they complete.
//
// TLS is decrypted with the key logs in options.capture.key_log_files,
// read at start and followed while capturing (clients append to them):
// records that come before their keys wait for them (TlsOptions).
//
// start() opens the interface (with the snapshot length and BPF filter
// asked for) and says plainly what to do when it cannot: no permission
// (run as root, or give the binary cap_net_raw and cap_net_admin), no such
// interface, a filter that does not compile. A background thread then reads
// packets into a CapturePipeline; an exchange reaches the sink as soon as
// its response is over. Connections idle for the reassembler's idle timeout
// are ended. stop() ends the capture, hands on what is still unanswered
// (with an error saying so) and reports the kernel's drop counts.
//
// It is a LiveSource (live_source.h). The sink is not owned and must
// outlive the recorder.
#pragma once

#include <atomic>
#include <mutex>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "model/exchange_sink.h"
#include "recorder/live_source.h"
#include "recorder/pcap/capture_pipeline.h"
#include "recorder/tls/key_log_file.h"

namespace trafficdb {

struct PcapLiveOptions {
  std::string interface;         // "lo", "eth0", "any"
  std::string filter;            // BPF, e.g. "tcp port 8080"; "" = everything
  int snaplen = 262144;
  bool promiscuous = false;
  CaptureOptions capture;
  // Where the recorder says what it is doing (a line, no newline). May be empty.
  std::function<void(const std::string&)> log;
};

struct PcapLiveStats {
  std::uint64_t packets = 0;     // seen by trafficdb
  std::uint64_t exchanges = 0;   // stored
  // From the kernel (pcap_stats), as of the last look: received by the
  // filter, dropped for lack of buffer space, dropped by the interface.
  std::uint64_t kernel_received = 0;
  std::uint64_t kernel_dropped = 0;
  std::uint64_t interface_dropped = 0;
};

class PcapLiveRecorder final : public LiveSource {
 public:
  PcapLiveRecorder(PcapLiveOptions options, ExchangeSink& sink);
  ~PcapLiveRecorder() override;
  PcapLiveRecorder(const PcapLiveRecorder&) = delete;
  PcapLiveRecorder& operator=(const PcapLiveRecorder&) = delete;

  Status start() override;
  // Idempotent. Returns the sink's failure if storing failed.
  Status stop() override;

  PcapLiveStats stats() const;
  // True once storing or capturing failed: time to stop().
  bool failed() const { return failed_.load(); }

  LiveSourceStatus status() const override;
  std::vector<SourceCount> counts() const override;
  std::string summary() const override;
  std::string describe() const override;

 private:
  class CountingSink;
  struct Handle;
  void run();
  void read_kernel_stats();
  void snapshot_pipeline_counts();
  void read_key_logs(Micros now);

  PcapLiveOptions options_;
  ExchangeSink& sink_;
  std::unique_ptr<CountingSink> counting_;
  std::unique_ptr<Handle> handle_;
  std::unique_ptr<CapturePipeline> pipeline_;
  std::vector<KeyLogFile> key_logs_;  // followed while capturing: clients append to them
  bool key_log_warned_ = false;
  ImportReport report_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> failed_{false};
  std::atomic<std::uint64_t> packets_{0};
  std::atomic<std::uint64_t> kernel_received_{0}, kernel_dropped_{0}, interface_dropped_{0};
  mutable std::mutex pipeline_counts_mu_;
  std::vector<SourceCount> pipeline_counts_;  // the pipeline's, as of the last snapshot
  bool started_ = false;
  bool stopped_ = false;
  Status failure_;
};

}  // namespace trafficdb
