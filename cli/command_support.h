// What the commands share: building the filter and opening the database,
// each failure reported on stderr with the right exit status; timed log lines.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>

#include "cli/filter_options.h"
#include "store/database.h"

namespace trafficdb {

// The filter, or nullopt after saying what is wrong (exit status: usage).
std::optional<ExchangeFilter> build_filter_or_report(const FilterOptions& options, int& exit_status);

// The database with trafficdb's SQL functions, or nullptr after saying why
// (exit status: unusable). Even read-write, it must exist already: a
// mistyped --db should not quietly create an empty database.
std::unique_ptr<SQLite::Database> open_or_report(const std::string& path, OpenMode mode, int& exit_status);

// "<local time> <who>: <line>" on stderr, one line per event: what
// long-running commands log. Under systemd, when stderr is the journal,
// "<who>: <line>" (the journal keeps the time).
void log_with_time(const std::string& who, const std::string& line);

}  // namespace trafficdb
