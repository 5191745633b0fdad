// `trafficdb ui`: serves the local web page for the database (docs/ui.md).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_ui_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
