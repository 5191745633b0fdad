// JSON-RPC 2.0 messages as MCP uses them: results, errors, notifications.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace trafficdb::mcp {

using json = nlohmann::json;

namespace rpc_error {
constexpr int parse_error = -32700;
constexpr int invalid_request = -32600;
constexpr int method_not_found = -32601;
constexpr int invalid_params = -32602;
constexpr int internal_error = -32603;
}  // namespace rpc_error

inline json rpc_result(const json& id, json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

inline json rpc_error_message(const json& id, int code, std::string message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", std::move(message)}}}};
}

inline json rpc_notification(std::string method, json params) {
  return {{"jsonrpc", "2.0"}, {"method", std::move(method)}, {"params", std::move(params)}};
}

// Serialized for the wire: invalid UTF-8 replaced, never thrown on.
inline std::string wire(const json& message) { return message.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace trafficdb::mcp
