// The tools trafficdb serves over MCP (docs/mcp.md), by group.
#pragma once

#include <vector>

#include "mcp/tool.h"

namespace trafficdb::mcp {

std::vector<Tool> query_tools();    // list_sessions, peek/read/filter_exchanges, get_exchange, traffic_stats, run_sql
std::vector<Tool> file_tools();     // import_capture, export_har, save_body
std::vector<Tool> capture_tools();  // start_capture, stop_capture, delete_session
std::vector<Tool> diff_tools();     // diff_exchanges, diff_sessions
std::vector<Tool> wait_tools();     // wait_for_exchange
std::vector<Tool> replay_tools();   // replay_exchange

std::vector<Tool> all_tools();

// JSON Schema pieces shared by output schemas.
nlohmann::json summary_schema();
nlohmann::json session_schema();

}  // namespace trafficdb::mcp
