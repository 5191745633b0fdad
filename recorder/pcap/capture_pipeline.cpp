#include "recorder/pcap/capture_pipeline.h"

namespace trafficdb {

CapturePipeline::CapturePipeline(int link_type, ExchangeSink& sink, const CaptureOptions& options,
                                 ImportReport& report)
    : sink_(sink),
      report_(report),
      options_(options),
      budget_(options.body_budget_bytes),
      protocols_{&options_.http, &options_.http2, &tls_, &budget_, this},
      tls_(key_log_, options_.tls, tls_plaintext_factory(protocols_), *this),
      decoder_(link_type),
      reassembler_(connection_router_factory(protocols_), options.reassembly) {}

CapturePipeline::~CapturePipeline() = default;

bool CapturePipeline::add(std::string_view frame, std::size_t wire_length, Micros at) {
  ++counts_.packets;
  switch (decoder_.decode(frame, wire_length, at, segment_)) {
    case DecodeResult::tcp:
      ++counts_.tcp_segments;
      reassembler_.add(segment_);
      break;
    case DecodeResult::other:
    case DecodeResult::fragment_held:
      ++counts_.other_packets;
      break;
    case DecodeResult::malformed:
      ++counts_.malformed_packets;
      report_.add_problem({"packet " + std::to_string(counts_.packets), decoder_.error() + "; packet skipped", false});
      break;
  }
  return sink_status_.is_ok();
}

void CapturePipeline::expire_idle(Micros now) {
  reassembler_.expire_idle(now);
  tls_.expire(now);
}

void CapturePipeline::finish(Micros at) {
  reassembler_.finish(at);
  tls_.finish(at);
}

void CapturePipeline::exchange(Exchange&& exchange) {
  if (!sink_status_.is_ok()) return;
  const bool incomplete = !exchange.error.empty();
  sink_status_ = sink_.consume(std::move(exchange));
  if (!sink_status_.is_ok()) return;
  ++counts_.exchanges;
  if (incomplete) ++counts_.incomplete_exchanges;
}

void CapturePipeline::problem(std::string message) {
  report_.add_problem({"packet " + std::to_string(counts_.packets), std::move(message), false});
}

void CapturePipeline::skipped(std::string_view why) {
  auto it = counts_.skipped.find(why);
  if (it == counts_.skipped.end()) it = counts_.skipped.emplace(std::string(why), 0).first;
  ++it->second;
}

CaptureCounts CapturePipeline::counts() const {
  CaptureCounts c = counts_;
  c.connections = reassembler_.stats().connections;
  c.gap_bytes = reassembler_.stats().gap_bytes;
  c.tls = tls_.counts();
  return c;
}

void CapturePipeline::add_notes(ImportReport& report) const {
  const CaptureCounts c = counts();
  report.notes.push_back(std::to_string(c.packets) + " packets, " + std::to_string(c.tcp_segments) +
                         " TCP segments, " + std::to_string(c.connections) + " TCP connections");
  if (c.exchanges == 0) report.notes.push_back("no HTTP exchanges found");
  if (c.tls.connections)
    report.notes.push_back(std::to_string(c.tls.connections) + " TLS connections: " + std::to_string(c.tls.decrypted) +
                           " decrypted, " + std::to_string(c.tls.without_keys) + " without keys, " +
                           std::to_string(c.tls.failed) + " failed");
  for (const auto& [why, n] : c.skipped)
    report.notes.push_back(std::to_string(n) + (n == 1 ? " connection" : " connections") + " skipped: " + why);
  if (c.incomplete_exchanges)
    report.notes.push_back(std::to_string(c.incomplete_exchanges) +
                           " exchanges are incomplete in the capture (their error column says why)");
  if (c.gap_bytes)
    report.notes.push_back(std::to_string(c.gap_bytes) + " bytes of TCP payload are missing from the capture");
}

std::vector<SourceCount> CapturePipeline::integrity() const {
  const CaptureCounts c = counts();
  std::uint64_t skipped = 0;
  for (const auto& [why, n] : c.skipped) skipped += n;
  std::vector<SourceCount> out = {{"packets", c.packets},
                                  {"malformed_packets", c.malformed_packets},
                                  {"tcp_connections", c.connections},
                                  {"tcp_gap_bytes", c.gap_bytes},
                                  {"connections_skipped", skipped},
                                  {"incomplete_exchanges", c.incomplete_exchanges},
                                  {"tls_connections", c.tls.connections},
                                  {"tls_decrypted", c.tls.decrypted},
                                  {"tls_without_keys", c.tls.without_keys},
                                  {"tls_failed", c.tls.failed}};
  for (const auto& [why, n] : c.skipped) out.push_back({"connections_skipped_by_reason", n, why});
  for (const auto& [server, n] : c.tls.not_decrypted_by_server)
    out.push_back({"tls_not_decrypted_by_server", n, server});
  return out;
}

}  // namespace trafficdb
