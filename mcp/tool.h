// Tool: one MCP tool — its description for the model, its schemas and
// annotations, and the function that runs it.
//
// A handler gets arguments already checked against its parameters (see
// tool_arguments.h) and returns the structured result; a problem the model
// can fix (bad argument, unknown id, path not allowed) is thrown as
// ToolError, which becomes `isError: true` with the message. The result's
// text content is `render_text` of the structured result (compact_text.h),
// with captured content inside `fence` (content_fence.h).
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mcp/content_fence.h"
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
  // The text content for a model, from the structured result.
  std::function<std::string(const nlohmann::json& structured, const ContentFence& fence)> render_text;
  // A page of summaries (summary_rows.h): its rows are sent once, in the
  // text content, unless the call passes `structured: true`
  // (summary_rows_param()); then structuredContent keeps them too.
  bool rows_in_text_only = false;

  nlohmann::json describe() const;  // the tools/list entry
};

}  // namespace trafficdb::mcp
