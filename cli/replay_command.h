// `trafficdb replay ID`: sends a stored exchange's request again, with
// changes, stores the outcome as a new exchange in a 'replay' session and
// prints it like `trafficdb show` (ingest/replay_exchange.h).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_replay_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
