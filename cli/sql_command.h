// `trafficdb sql "SELECT ..."`: read-only SQL against the store.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_sql_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
