// `trafficdb import FILE...`: one session per file.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

// Adds the subcommand; when it runs, `exit_status` gets its exit status.
void add_import_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
