// `trafficdb mcp`: the MCP server (docs/mcp.md), on stdio or Streamable HTTP.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli_context.h"

namespace trafficdb {

void add_mcp_command(CLI::App& app, const CliContext& context, int& exit_status);

}  // namespace trafficdb
