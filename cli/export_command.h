// `trafficdb export har --out FILE [filters]`.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_export_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
