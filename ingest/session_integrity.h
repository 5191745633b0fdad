// SessionIntegrity: a source's counts (model/source_count.h) as the JSON
// object kept in sessions.integrity — totals as numbers, counts with a
// detail as objects keyed by it:
//   {"packets": 1200, "kernel_dropped": 0, "connections_skipped": 1,
//    "connections_skipped_by_reason": {"not HTTP": 1}, ...}
#pragma once

#include <string>
#include <vector>

#include "model/import_report.h"
#include "model/source_count.h"

namespace trafficdb {

std::string integrity_json(const std::vector<SourceCount>& counts);

// What an import's reader reported: its own counts (captures), or for the
// JSON formats the entries rejected and stored with a caveat.
std::vector<SourceCount> import_integrity(const ImportReport& report);

}  // namespace trafficdb
