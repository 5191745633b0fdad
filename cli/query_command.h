// `trafficdb query`: filtered, cursor-paged lists of exchange summaries.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_query_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
