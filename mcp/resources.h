// MCP resources: sessions and exchanges addressed by URI
// (trafficdb://sessions/{id}, trafficdb://exchanges/{id}).
#pragma once

#include <nlohmann/json.hpp>

#include "mcp/context.h"

namespace trafficdb::mcp {

nlohmann::json resource_templates();                 // resources/templates/list result
nlohmann::json list_resources(McpContext& context);  // resources/list result: the newest sessions

// resources/read result; throws ToolError for an unknown or malformed URI.
nlohmann::json read_resource(McpContext& context, const std::string& uri);

}  // namespace trafficdb::mcp
