// MCP over stdio: one JSON-RPC message per line on stdin and stdout.
// Requests run on threads of their own (so a long one can be cancelled and
// others answered meanwhile), at most 16 at once: a request past that is
// answered at once with error -32000 "server busy"; stdout carries protocol only, written whole
// line by line. A message over 16 MiB is refused (its bytes are not kept).
// Returns when stdin closes, after cancelling what still runs and waiting
// for it.
#pragma once

#include <istream>
#include <ostream>

#include "mcp/server.h"

namespace trafficdb::mcp {

void serve_stdio(McpServer& server, std::istream& in, std::ostream& out, const McpServer::Log& log);

}  // namespace trafficdb::mcp
