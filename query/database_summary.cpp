#include "query/database_summary.h"

#include "common/byte_size.h"
#include "common/timestamp.h"

namespace trafficdb {

std::string format_max_age(std::int64_t micros) {
  const std::int64_t seconds = micros / 1'000'000;
  if (seconds > 0 && seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds > 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds > 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  if (micros % 1'000'000 == 0) return std::to_string(seconds) + "s";
  return std::to_string(micros / 1000) + "ms";
}

nlohmann::json database_summary_json(const RetentionState& s) {
  using nlohmann::json;
  const RetentionPolicy& p = s.policy;
  return {
      {"size_bytes", s.size.used_bytes},
      {"file_bytes", s.size.file_bytes},
      {"free_bytes", s.size.free_bytes},
      {"incremental_vacuum", s.size.incremental_vacuum},
      {"retention",
       {{"max_age_s", p.max_age_us ? json(static_cast<double>(*p.max_age_us) / 1e6) : json(nullptr)},
        {"max_age", p.max_age_us ? json(format_max_age(*p.max_age_us)) : json(nullptr)},
        {"max_size_bytes", p.max_size_bytes ? json(*p.max_size_bytes) : json(nullptr)}}},
      {"pruned",
       {{"exchanges", s.pruned.exchanges},
        {"bodies", s.pruned.bodies},
        {"websocket_messages", s.pruned.websocket_messages},
        {"body_bytes", s.pruned.body_bytes},
        {"bytes_given_back", s.pruned.bytes_given_back},
        {"last_pruned_at", s.pruned.last_pruned_at ? json(format_iso8601(*s.pruned.last_pruned_at)) : json(nullptr)},
        {"last_longest_step_ms",
         s.pruned.last_longest_step_ms ? json(*s.pruned.last_longest_step_ms) : json(nullptr)}}},
  };
}

std::string database_summary_line(const RetentionState& s) {
  std::string line = "database " + format_byte_size(static_cast<std::uint64_t>(s.size.used_bytes)) + " used";
  if (s.size.free_bytes > 0) line += " (+" + format_byte_size(static_cast<std::uint64_t>(s.size.free_bytes)) + " free)";
  line += "; retention: ";
  if (s.policy.empty()) line += "none";
  if (s.policy.max_age_us) line += "max age " + format_max_age(*s.policy.max_age_us);
  if (s.policy.max_age_us && s.policy.max_size_bytes) line += ", ";
  if (s.policy.max_size_bytes) line += "max size " + format_byte_size(*s.policy.max_size_bytes);
  if (s.pruned.exchanges > 0 || s.pruned.bytes_given_back > 0) {
    line += "; pruned " + std::to_string(s.pruned.exchanges) + " exchanges, " + std::to_string(s.pruned.bodies) +
            " bodies (" + format_byte_size(static_cast<std::uint64_t>(s.pruned.body_bytes)) + ")";
    if (s.pruned.bytes_given_back > 0)
      line += ", " + format_byte_size(static_cast<std::uint64_t>(s.pruned.bytes_given_back)) + " given back";
    if (s.pruned.last_pruned_at) line += ", last " + format_human_time(*s.pruned.last_pruned_at);
  }
  return line;
}

}  // namespace trafficdb
