// The filter options shared by query, stats, read and export: each command
// adds them to its subcommand and turns them into an ExchangeFilter.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/status.h"
#include "query/filter_spec.h"

namespace trafficdb {

struct FilterOptions : FilterSpec {
  // Adds the options to `cmd` (in an option group named "Filters").
  void add_to(CLI::App& cmd);
  // Checks values and builds the filter; errors say which option is wrong.
  Result<ExchangeFilter> build() const;
};

}  // namespace trafficdb
