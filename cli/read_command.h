// `trafficdb read --consumer NAME`: the next page for a named consumer,
// moving its cursor (it resumes there next time, even after a restart).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_read_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
