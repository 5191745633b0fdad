// `trafficdb index`: brings the full-text search indexes up to date.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_index_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
