// `trafficdb delete SESSION...`: removes sessions with their exchanges and
// what only they used, then gives the space back.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_delete_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
