// `trafficdb record SOURCE`: live recording into a session until stopped.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_record_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
