// Generates the pcap benchmark's workload: HTTP/1.1 exchanges over many
// concurrent keep-alive TCP connections (handshake, several request/response
// pairs, FIN/ACK both ways; a few connections end in a reset instead),
// MSS-sized segments (1448 payload bytes with TCP timestamps) acknowledged by
// the receiver every second segment, all connections interleaved in time
// order, written as a classic pcap. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pcap_workload_counts.h"

namespace bench::pcap_workload {

// mixed: web, API and asset hosts, every kind of exchange (chunked, gzip,
// 304, POST, ...). api_json: what a client polling a JSON API sends and gets
// (curl against nginx, say): GETs answered 200 with 1-8 KB of JSON, plain
// Content-Length, no content coding, API hosts only.
enum class WorkloadProfile { mixed, api_json };

struct WorkloadOptions {
  std::uint64_t exchanges = 100000;
  std::uint64_t connections = 64;  // open at the same time
  std::uint64_t seed = 1;
  WorkloadProfile profile = WorkloadProfile::mixed;
};

// "mixed" / "api-json" and back; nullopt for another name.
std::optional<WorkloadProfile> parse_profile(std::string_view name);
std::string_view profile_name(WorkloadProfile profile);

// Writes the capture to `path` and its counts to counts_path(path); returns
// the counts. Throws std::runtime_error when a file cannot be written.
WorkloadCounts generate_workload(const std::string& path, const WorkloadOptions& options);

}  // namespace bench::pcap_workload
