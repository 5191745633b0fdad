// `trafficdb prune`: applies the retention policy now, or removes exchanges
// by age or session, in small steps; --vacuum converts an older database to
// incremental vacuum once. Prints what was removed and the longest pause.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_prune_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
