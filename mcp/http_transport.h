// MCP over Streamable HTTP (cpp-httplib): one endpoint, /mcp.
//
// POST carries one JSON-RPC message. `initialize` opens a session and its
// Mcp-Session-Id; every later message must carry it (400 without, 404 for an
// unknown one). Notifications get 202; a request gets application/json, or
// an SSE stream (progress notifications, then the response) when it asked
// for progress. DELETE ends the session; GET answers 405. A present Origin
// must be a localhost one or an allowed one (else 403); with a token, a
// request without `Authorization: Bearer TOKEN` gets 401.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "mcp/server.h"

namespace trafficdb::mcp {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string token;                        // "" = no token required
  std::vector<std::string> allowed_origins;  // besides http(s)://localhost|127.0.0.1|[::1][:port]
};

// Serves until `should_stop` says so (checked every 200 ms). `on_listening`
// gets the bound port (useful with port 0). Fails when it cannot bind.
Status serve_http(McpContext& context, const std::vector<Tool>& tools, const HttpOptions& options,
                  const McpServer::Log& log, const std::function<void(int port)>& on_listening,
                  const std::function<bool()>& should_stop);

}  // namespace trafficdb::mcp
