// The filter options shared by query, stats, read and export: each command
// adds them to its subcommand and turns them into an ExchangeFilter.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/status.h"
#include "query/exchange_filter.h"

namespace trafficdb {

struct FilterOptions {
  std::vector<std::int64_t> sessions;
  std::vector<std::string> sources;
  std::vector<std::string> hosts;
  std::vector<std::string> methods;
  std::string status;
  std::string path_prefix, path_contains, path_glob;
  std::string url_contains, url_regex;
  std::string req_type, resp_type;
  std::string header;  // NAME or NAME:VALUE
  std::string header_side = "either";
  std::string body_contains;
  bool errors = false, no_errors = false;
  double min_duration_ms = -1;
  std::int64_t min_size = -1, max_size = -1;
  std::string since, until;

  // Adds the options to `cmd` (in an option group named "Filters").
  void add_to(CLI::App& cmd);
  // Checks values and builds the filter; errors say which option is wrong.
  Result<ExchangeFilter> build() const;
};

}  // namespace trafficdb
