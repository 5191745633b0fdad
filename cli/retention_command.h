// `trafficdb retention`: shows the database's retention policy, size and
// what pruning removed; `retention set` and `retention clear` change the policy.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_retention_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
