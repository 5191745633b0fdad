// CapturePipeline: captured frames in, HTTP exchanges out.
//
//   frame -> PacketDecoder -> TcpReassembler -> ConnectionRouter
//            -> [TlsConnection ->] HttpConnection | Http2Connection -> ExchangeSink
//
// TLS is decrypted with the secrets in key_log(): fill it before the
// packets come (key log files, a pcapng's Decryption Secrets Blocks), or
// while they come, calling keys_arrived() after (a live capture whose
// clients append to their key log).
//
// Shared by the file import and the live recorder. Single-threaded: call it
// from one thread. Memory is bounded whatever the capture's length: the
// reassembler's and the body budget's limits, plus what the sink queues.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/exchange_sink.h"
#include "model/import_report.h"
#include "recorder/connection_router.h"
#include "recorder/http1/http_connection.h"
#include "recorder/http2/http2_connection.h"
#include "recorder/pcap/packet_decoder.h"
#include "recorder/pcap/tcp_reassembler.h"
#include "recorder/tls/key_log.h"
#include "recorder/tls/tls_connection.h"

namespace trafficdb {

struct CaptureOptions {
  HttpCaptureOptions http;
  Http2Options http2;
  TlsOptions tls;
  std::vector<std::string> key_log_files;  // NSS key logs (SSLKEYLOGFILE) to decrypt TLS with
  ReassemblyLimits reassembly;
  std::size_t body_budget_bytes = 96u << 20;  // body bytes held by unfinished exchanges, in all
};

struct CaptureCounts {
  std::uint64_t packets = 0;
  std::uint64_t tcp_segments = 0;
  std::uint64_t other_packets = 0;      // not TCP (UDP, ARP, ...)
  std::uint64_t malformed_packets = 0;
  std::uint64_t connections = 0;
  std::uint64_t exchanges = 0;          // handed to the sink
  std::uint64_t incomplete_exchanges = 0;  // of those, stored with an error
  std::uint64_t gap_bytes = 0;
  std::map<std::string, std::uint64_t, std::less<>> skipped;  // connections not followed, by reason
  TlsCounts tls;
};

class CapturePipeline final : private CaptureOutput {
 public:
  // Problems (malformed packets, bodies cut) are added to `report`, named by
  // packet number.
  CapturePipeline(int link_type, ExchangeSink& sink, const CaptureOptions& options, ImportReport& report);
  ~CapturePipeline() override;

  // One captured frame: `frame` is what was captured of `wire_length` bytes.
  // False once the sink has failed: stop feeding then (see sink_status()).
  bool add(std::string_view frame, std::size_t wire_length, Micros at);

  // Ends connections idle for the reassembler's idle timeout.
  void expire_idle(Micros now);

  // The end of the capture: every connection ends, unanswered requests are
  // handed on with their error.
  void finish(Micros at);

  // Where TLS secrets are looked up.
  KeyLog& key_log() { return key_log_; }
  // The key log grew: connections waiting for their keys look again.
  void keys_arrived(Micros at) { tls_.keys_arrived(at); }

  const Status& sink_status() const { return sink_status_; }
  CaptureCounts counts() const;

  // The summary lines an import prints (skipped connections, incomplete
  // exchanges, gaps).
  void add_notes(ImportReport& report) const;
  // counts() as the session's capture integrity (model/source_count.h).
  std::vector<SourceCount> integrity() const;

 private:
  void exchange(Exchange&& exchange) override;
  void problem(std::string message) override;
  void skipped(std::string_view why) override;

  ExchangeSink& sink_;
  ImportReport& report_;
  const CaptureOptions options_;
  BodyBudget budget_;
  KeyLog key_log_;
  ConnectionProtocols protocols_;
  TlsContext tls_;
  PacketDecoder decoder_;
  TcpReassembler reassembler_;
  CaptureCounts counts_;
  Status sink_status_;
  TcpSegment segment_;
};

}  // namespace trafficdb
