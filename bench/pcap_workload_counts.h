// What a generated pcap workload holds, as the generator counted it: the
// expectations the benchmark checks an import against. Saved next to the
// capture as `FILE.counts` (plain "key value" lines) so that a reused capture
// can be checked too.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>

namespace bench::pcap_workload {

struct WorkloadCounts {
  std::uint64_t seed = 0;
  std::uint64_t exchanges = 0;  // requests; each should become one row
  std::uint64_t responses = 0;  // final responses (rows with a status)
  std::uint64_t aborted = 0;    // requests answered with a TCP reset (rows with an error)
  std::uint64_t continues = 0;  // interim "100 Continue" responses
  std::uint64_t chunked = 0;    // responses with Transfer-Encoding: chunked
  std::uint64_t gzip = 0;       // responses with Content-Encoding: gzip
  std::uint64_t request_body_bytes = 0;
  std::uint64_t response_body_bytes = 0;  // decoded (after chunked and gzip)
  std::uint64_t connections = 0;
  std::uint64_t packets = 0;
  std::uint64_t file_bytes = 0;
  std::int64_t first_packet_us = 0;
  std::int64_t last_packet_us = 0;
  std::map<std::string, std::uint64_t> kinds;    // exchanges by kind (kind_name)
  std::map<std::string, std::uint64_t> methods;  // requests by method
  std::map<int, std::uint64_t> statuses;         // final responses by status

  // The HTTP messages a dissector shows: requests, final and interim responses.
  std::uint64_t http_messages() const { return exchanges + responses + continues; }
};

// "key n, key n, ..." for one of the maps above ("none" when empty).
template <typename Key>
std::string join_counts(const std::map<Key, std::uint64_t>& m) {
  std::string out;
  for (const auto& [key, n] : m) {
    std::ostringstream k;
    k << key;
    out += (out.empty() ? "" : ", ") + k.str() + " " + std::to_string(n);
  }
  return out.empty() ? "none" : out;
}

// Where the counts of the capture at `pcap_path` are kept.
std::string counts_path(const std::string& pcap_path);

// Writes `counts` to `path`; throws std::runtime_error on failure.
void save_counts(const WorkloadCounts& counts, const std::string& path);

// The counts saved at `path`, or nullopt when there is no such file. Throws
// std::runtime_error when it is malformed.
std::optional<WorkloadCounts> load_counts(const std::string& path);

// A few human-readable lines: totals, then counts by kind, method and status.
std::string describe(const WorkloadCounts& counts);

}  // namespace bench::pcap_workload
