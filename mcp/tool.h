// Tool: one MCP tool — its description for the model, its schemas and
// annotations, and the function that runs it.
//
// A handler gets arguments already checked against its parameters (see
// tool_arguments.h) and returns the structured result; a problem the model
// can fix (bad argument, unknown id, path not allowed) is thrown as
// ToolError, which becomes `isError: true` with the message. The result's
// text content is `render_text` of the structured result when the tool has
// one, else that JSON again.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp/tool_arguments.h"

namespace trafficdb::mcp {

class McpContext;

class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ToolCall {
  const nlohmann::json& arguments;  // checked, defaults filled in
  McpContext& context;
  const std::atomic<bool>& cancelled;
  // Reports progress when the client asked for it (a no-op otherwise).
  std::function<void(double progress, std::optional<double> total, const std::string& message)> progress;
};

struct ToolResult {
  nlohmann::json structured;
  std::vector<std::string> resource_links;  // trafficdb://... URIs the result refers to
};

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  std::vector<ParamSpec> params;
  nlohmann::json output_schema;
  bool read_only = true;
  bool destructive = false;
  bool idempotent = true;
  bool open_world = false;  // talks to things outside the database (interfaces, proxies)
  std::function<ToolResult(ToolCall&)> run;
  std::function<std::string(const nlohmann::json& structured)> render_text = {};  // the text content; may be empty

  nlohmann::json describe() const;  // the tools/list entry
};

}  // namespace trafficdb::mcp
