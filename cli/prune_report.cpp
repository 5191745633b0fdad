#include "cli/prune_report.h"

#include <cstdio>

#include "common/byte_size.h"

namespace trafficdb {
namespace {

std::string millis(std::chrono::microseconds d) {
  char out[32];
  std::snprintf(out, sizeof out, "%.1f ms", static_cast<double>(d.count()) / 1000.0);
  return out;
}

std::string size_text(std::int64_t bytes) { return format_byte_size(static_cast<std::uint64_t>(std::max<std::int64_t>(0, bytes))); }

std::string longest_kind(const PruneReport& r) {
  return *r.longest_step_kind ? std::string(" (") + r.longest_step_kind + ")" : std::string();
}

}  // namespace

std::string prune_report_line(const PruneReport& r) {
  std::string line = "removed " + std::to_string(r.exchanges) + " exchanges, " + std::to_string(r.bodies) +
                     " bodies (" + size_text(r.body_bytes) + ")";
  if (r.websocket_messages > 0) line += ", " + std::to_string(r.websocket_messages) + " WebSocket messages";
  line += "; gave back " + size_text(r.bytes_given_back);
  if (r.index_merges > 0) line += "; merged " + std::to_string(r.index_merges) + " search index" + (r.index_merges == 1 ? "" : "es");
  line += "; " + std::to_string(r.steps) + " steps in " + millis(r.elapsed) + ", longest write-lock hold " +
          millis(r.longest_step) + longest_kind(r) + "; " + size_text(r.after.used_bytes) + " used";
  if (r.stopped) line += " (stopped before the end)";
  return line;
}

void print_prune_report(std::ostream& out, const PruneReport& r) {
  out << "removed " << r.exchanges << " exchanges of " << r.sessions.size() << " session"
      << (r.sessions.size() == 1 ? "" : "s") << ", " << r.bodies << " bodies (" << size_text(r.body_bytes) << "), "
      << r.websocket_messages << " WebSocket messages; gave back " << size_text(r.bytes_given_back) << "\n";
  if (r.index_merges > 0)
    out << "search indexes merged " << r.index_merges << " time" << (r.index_merges == 1 ? "" : "s")
        << " to drop the entries of removed rows\n";
  out
      << r.steps << " steps, longest write-lock hold " << millis(r.longest_step) << longest_kind(r) << "; took "
      << millis(r.elapsed) << "\n"
      << "database: " << size_text(r.before.used_bytes) << " used before, " << size_text(r.after.used_bytes)
      << " after; file " << size_text(r.before.file_bytes) << " -> " << size_text(r.after.file_bytes) << "\n";
  if (r.stopped) out << "stopped before the end (interrupted)\n";
  if (r.vacuum_unavailable)
    out << "the file keeps its " << size_text(r.after.free_bytes)
        << " of free pages (later writes reuse them): this database predates incremental vacuum;\n"
           "run 'trafficdb prune --vacuum' once to convert it (a full rewrite: stops recorders while it runs)\n";
}

nlohmann::json prune_report_json(const PruneReport& r) {
  return {{"exchanges", r.exchanges},
          {"sessions", r.sessions},
          {"bodies", r.bodies},
          {"body_bytes", r.body_bytes},
          {"websocket_messages", r.websocket_messages},
          {"bytes_given_back", r.bytes_given_back},
          {"steps", r.steps},
          {"index_merges", r.index_merges},
          {"longest_step_ms", static_cast<double>(r.longest_step.count()) / 1000.0},
          {"longest_step_kind", r.longest_step_kind},
          {"longest_step_cpu_ms", static_cast<double>(r.longest_step_cpu.count()) / 1000.0},
          {"elapsed_ms", static_cast<double>(r.elapsed.count()) / 1000.0},
          {"used_bytes_before", r.before.used_bytes},
          {"used_bytes_after", r.after.used_bytes},
          {"file_bytes_before", r.before.file_bytes},
          {"file_bytes_after", r.after.file_bytes},
          {"free_bytes_after", r.after.free_bytes},
          {"vacuum_unavailable", r.vacuum_unavailable},
          {"stopped", r.stopped}};
}

}  // namespace trafficdb
