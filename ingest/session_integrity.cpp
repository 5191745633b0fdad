#include "ingest/session_integrity.h"

#include <nlohmann/json.hpp>

namespace trafficdb {

std::string integrity_json(const std::vector<SourceCount>& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (const SourceCount& c : counts) {
    if (c.detail.empty()) {
      out[c.name] = c.value;
    } else {
      nlohmann::json& by = out[c.name];
      if (!by.is_object()) by = nlohmann::json::object();
      by[c.detail] = by.value(c.detail, std::uint64_t{0}) + c.value;
    }
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<SourceCount> import_integrity(const ImportReport& report) {
  if (!report.integrity.empty()) return report.integrity;
  return {{"entries_rejected", report.rejected},
          {"entries_with_caveats", report.problem_count - report.rejected}};
}

}  // namespace trafficdb
