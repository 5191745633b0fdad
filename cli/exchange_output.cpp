#include "cli/exchange_output.h"

#include <string>

namespace trafficdb {
namespace {

void print_message(std::ostream& out, const nlohmann::json& message) {
  for (const auto& h : message["headers"]) out << h[0].get<std::string>() << ": " << h[1].get<std::string>() << '\n';
  const auto& body = message["body"];
  const std::string kind = body["kind"];
  if (kind == "text") {
    out << '\n' << body["text"].get<std::string>() << '\n';
  } else if (kind == "binary") {
    out << "\n[binary body, " << body.value("size", 0) << " bytes; base64 with --json]\n";
  } else if (kind == "not_captured") {
    out << "\n[body not captured" << (body.contains("size") ? ", " + std::to_string(body["size"].get<std::int64_t>()) + " bytes" : "") << "]\n";
  }
  if (body.value("truncated", false)) out << "[cut at --max-body; the full body is in the database]\n";
  if (body.value("stored_partially", false)) out << "[the store kept only part of this body]\n";
}

}  // namespace

void print_exchange_detail(std::ostream& out, const nlohmann::json& detail, bool as_json) {
  const nlohmann::json& j = detail;
  if (as_json) {
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return;
  }
  out << "#" << j["id"] << " (session " << j["session_id"] << ")  " << j["timings"]["started_at"].dump() << "  "
      << j["timings"]["duration_ms"].dump() << " ms\n";
  if (j.contains("error")) out << "error: " << j["error"].get<std::string>() << '\n';
  out << "\n" << j["method"].get<std::string>() << " " << j["url"].get<std::string>() << " "
      << j["http_version"].get<std::string>() << '\n';
  print_message(out, j["request"]);
  if (!j["response"].is_null()) {
    out << "\n" << j["response"]["status"] << " " << j["response"]["status_text"].get<std::string>() << '\n';
    print_message(out, j["response"]);
  }
  if (j.contains("websocket")) out << "\n[" << j["websocket"]["message_count"] << " WebSocket messages; see --json]\n";
}

}  // namespace trafficdb
