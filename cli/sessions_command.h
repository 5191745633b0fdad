// `trafficdb sessions`: the recorded history.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_sessions_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
