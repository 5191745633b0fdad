// Saving, loading and printing the counts of a generated pcap workload; see
// pcap_workload_counts.h.

#include "pcap_workload_counts.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "bench_report.h"

namespace bench::pcap_workload {
namespace {

// The scalar fields, by the names the file uses.
std::vector<std::pair<const char*, std::uint64_t*>> scalars(WorkloadCounts& c) {
  return {{"seed", &c.seed},
          {"exchanges", &c.exchanges},
          {"responses", &c.responses},
          {"aborted", &c.aborted},
          {"continues", &c.continues},
          {"chunked", &c.chunked},
          {"gzip", &c.gzip},
          {"request_body_bytes", &c.request_body_bytes},
          {"response_body_bytes", &c.response_body_bytes},
          {"connections", &c.connections},
          {"packets", &c.packets},
          {"file_bytes", &c.file_bytes}};
}

}  // namespace

std::string counts_path(const std::string& pcap_path) { return pcap_path + ".counts"; }

void save_counts(const WorkloadCounts& counts, const std::string& path) {
  WorkloadCounts c = counts;
  std::ofstream out(path, std::ios::trunc);
  out << "# pcap_workload counts: what the capture next to this file holds\n";
  for (const auto& [name, value] : scalars(c)) out << name << ' ' << *value << '\n';
  out << "first_packet_us " << c.first_packet_us << "\nlast_packet_us " << c.last_packet_us << '\n';
  for (const auto& [kind, n] : c.kinds) out << "kind " << kind << ' ' << n << '\n';
  for (const auto& [method, n] : c.methods) out << "method " << method << ' ' << n << '\n';
  for (const auto& [status, n] : c.statuses) out << "status " << status << ' ' << n << '\n';
  out.close();
  if (!out) throw std::runtime_error(path + ": cannot write");
}

std::optional<WorkloadCounts> load_counts(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  WorkloadCounts c;
  const auto fields = scalars(c);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string key, name;
    words >> key;
    bool ok = true;
    if (key == "kind" || key == "method") {
      std::uint64_t n = 0;
      ok = static_cast<bool>(words >> name >> n);
      (key == "kind" ? c.kinds : c.methods)[name] = n;
    } else if (key == "status") {
      int status = 0;
      std::uint64_t n = 0;
      ok = static_cast<bool>(words >> status >> n);
      c.statuses[status] = n;
    } else if (key == "first_packet_us") {
      ok = static_cast<bool>(words >> c.first_packet_us);
    } else if (key == "last_packet_us") {
      ok = static_cast<bool>(words >> c.last_packet_us);
    } else {
      ok = false;
      for (const auto& [field, value] : fields)
        if (key == field) ok = static_cast<bool>(words >> *value);
    }
    if (!ok) throw std::runtime_error(path + ":" + std::to_string(number) + ": cannot read '" + line + "'");
  }
  return c;
}

std::string describe(const WorkloadCounts& c) {
  const double seconds = static_cast<double>(c.last_packet_us - c.first_packet_us) / 1e6;
  return std::to_string(c.exchanges) + " exchanges (" + std::to_string(c.responses) + " with a response, " +
         std::to_string(c.aborted) + " reset without one, " + std::to_string(c.continues) + " 100 Continue) over " +
         std::to_string(c.connections) + " connections; " + std::to_string(c.packets) + " packets, " +
         std::to_string(c.file_bytes) + " bytes (" + fixed(static_cast<double>(c.file_bytes) / 1e6, 1) + " MB, " +
         fixed(c.exchanges ? static_cast<double>(c.file_bytes) / static_cast<double>(c.exchanges) : 0, 0) +
         " B/exchange), " + fixed(seconds, 1) + " s of traffic\n" +
         "  bodies: " + std::to_string(c.request_body_bytes) + " request bytes, " +
         std::to_string(c.response_body_bytes) + " response bytes decoded; " + std::to_string(c.chunked) +
         " chunked, " + std::to_string(c.gzip) + " gzip responses\n" + "  kinds: " + join_counts(c.kinds) +
         "\n  methods: " + join_counts(c.methods) + "\n  statuses: " + join_counts(c.statuses) +
         "\n  HTTP messages (requests + responses + 100 Continue): " + std::to_string(c.http_messages()) + "\n";
}

}  // namespace bench::pcap_workload
