// `trafficdb diff A B`: how two exchanges differ (request line, status,
// headers, bodies, timing), as text or --json (query/exchange_diff.h).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_diff_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
