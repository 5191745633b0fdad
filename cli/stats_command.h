// `trafficdb stats`: grouped counts, error rates, bytes and latency percentiles.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_stats_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
