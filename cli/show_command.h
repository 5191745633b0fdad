// `trafficdb show ID`: one exchange in full, or as a curl command.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_show_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
