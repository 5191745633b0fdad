// McpServer: one MCP session's protocol logic, independent of transport.
//
// handle() takes one JSON-RPC message and returns the response (none for a
// notification, nor for a request cancelled while it ran). Requests may be handled concurrently from several threads;
// `send` delivers what a request produces before its response (progress
// notifications) and must be safe to call from the handling thread.
// notifications/cancelled sets the flag a running tool polls.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcp/context.h"
#include "mcp/json_rpc.h"
#include "mcp/tool.h"

namespace trafficdb::mcp {

inline constexpr const char* kLatestProtocolVersion = "2025-11-25";

// The protocol revisions this server speaks.
bool supports_protocol_version(std::string_view version);

class McpServer {
 public:
  using Send = std::function<void(const json&)>;
  using Log = std::function<void(const std::string&)>;

  McpServer(McpContext& context, const std::vector<Tool>& tools, Log log);

  std::optional<json> handle(const json& message, const Send& send);

  // Cancels every request still running, and any that starts later (the
  // transport is going away).
  void cancel_all();

 private:
  json initialize(const json& params);
  std::optional<json> call_tool(const json& id, const json& params, const Send& send);
  std::shared_ptr<std::atomic<bool>> track(const json& id);
  void untrack(const json& id);

  McpContext& context_;
  const std::vector<Tool>& tools_;
  Log log_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> running_;  // request id (as JSON) -> cancel flag
  bool closing_ = false;  // cancel_all was called
};

}  // namespace trafficdb::mcp
