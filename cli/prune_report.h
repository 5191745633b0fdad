// How `trafficdb prune` and `trafficdb delete` say what pruning did.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "store/pruning.h"

namespace trafficdb {

// "removed 1200 exchanges of 2 sessions, 300 bodies (5.10 MB), 0 WebSocket
// messages; gave back 4.2 MB; 14 steps, longest write-lock hold 23.1 ms; took
// 0.61 s", and a note when the file cannot shrink (no incremental vacuum).
void print_prune_report(std::ostream& out, const PruneReport& report);

// The same on one line, for a log (a recorder's retention rounds in the journal):
// "removed 1200 exchanges, 300 bodies (5.10 MB); gave back 4.2 MB; 14 steps in
// 610.0 ms, longest write-lock hold 23.1 ms (prune); 148 MB used".
std::string prune_report_line(const PruneReport& report);

nlohmann::json prune_report_json(const PruneReport& report);

}  // namespace trafficdb
