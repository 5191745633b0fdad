// One exchange (get_exchange) as compact text: a line of facts, then the
// request line and headers, each body, the status line and headers, and the
// WebSocket messages, every piece of captured content inside the fence.
#include "mcp/compact_text.h"

namespace trafficdb::mcp {
namespace {

using json = nlohmann::json;

std::string headers_lines(const json& headers) {
  std::string out;
  for (const json& h : headers)
    out += one_line(h.at(0).get<std::string>(), 200) + ": " + one_line(h.at(1).get<std::string>(), 8000) + "\n";
  return out;
}

// "request body: text, bytes 0-8 of 8" and the fenced content, or why there is none.
std::string body_text(const char* which, const json& body, const ContentFence& fence) {
  const std::string kind = member(body, "kind").is_string() ? body.at("kind").get<std::string>() : "none";
  std::string out = std::string(which) + " body: " + kind;
  const json& size = member(body, "size");
  if (kind != "text" && kind != "binary") {
    if (size.is_number() && kind != "empty") out += ", " + scalar_text(size) + " bytes";
    return out + "\n";
  }
  out += ", bytes " + scalar_text(body.at("offset")) + "-" + scalar_text(body.at("end")) + " of " +
         (size.is_number() ? scalar_text(size) : std::string("?"));
  if (member(body, "charset").is_string()) out += ", from " + body.at("charset").get<std::string>();
  if (member(body, "stored_partially") == true) out += ", only part of it was stored";
  if (member(body, "next_offset").is_number())
    out += "; more: offset " + scalar_text(body.at("next_offset")) + " continues it";
  if (kind == "binary") out += "; base64 of the bytes";
  out += "\n";
  const json& content = kind == "text" ? member(body, "text") : member(body, "base64");
  return out + fence.wrap(content.is_string() ? content.get<std::string>() : std::string());
}

std::string timings_line(const json& timings) {
  std::string out = "timings:";
  for (const char* name : {"started_at", "request_sent_at", "response_started_at", "ended_at", "duration_ms"})
    if (!member(timings, name).is_null()) out += std::string(" ") + name + " " + scalar_text(timings.at(name));
  return out + "\n";
}

std::string websocket_text(const json& ws, const ContentFence& fence) {
  const json& messages = member(ws, "messages");
  std::string out = "websocket: " + scalar_text(member(ws, "message_count")) + " messages, " +
                    std::to_string(messages.size()) + " shown; each: sender opcode at kind size, then its payload\n";
  std::string lines;
  for (const json& m : messages) {
    lines += scalar_text(member(m, "sender")) + " " + scalar_text(member(m, "opcode")) + " " +
             scalar_text(member(m, "at")) + " " + scalar_text(member(m, "kind")) + " " +
             scalar_text(member(m, "size")) + (member(m, "next_offset").is_number() ? " (cut)" : "") + "\n";
    const json& content = member(m, "text").is_string() ? m.at("text") : member(m, "base64");
    if (content.is_string()) lines += one_line(content.get<std::string>(), 4000) + "\n";
  }
  return out + (lines.empty() ? std::string() : fence.wrap(lines));
}

}  // namespace

std::string exchange_text(const json& d, const ContentFence& fence) {
  std::string out = "exchange " + scalar_text(d.at("id")) + ", session " + scalar_text(d.at("session_id")) + ", " +
                    scalar_text(member(d, "http_version"));
  if (member(d, "tunnel") == true) out += ", tunnel";
  out += "\n";
  if (member(d, "timings").is_object()) out += timings_line(d.at("timings"));
  for (const char* name : {"client_addr", "server_addr", "source_key"})
    if (member(d, name).is_string()) out += std::string(name) + ": " + one_line(d.at(name).get<std::string>()) + "\n";
  if (member(d, "error").is_string()) out += "error: " + one_line(d.at("error").get<std::string>(), 2000) + "\n";
  if (member(d, "details").is_object())
    out += "details: " + one_line(d.at("details").dump(-1, ' ', false, json::error_handler_t::replace), 2000) + "\n";

  const json& request = member(d, "request");
  out += "request line" + std::string(request.contains("headers") ? " and headers" : "") + ":\n";
  out += fence.wrap(one_line(scalar_text(member(d, "method")), 40) + " " + one_line(scalar_text(d.at("url")), 8000) +
                    "\n" + headers_lines(member(request, "headers")));
  if (request.contains("body")) out += body_text("request", request.at("body"), fence);

  const json& response = member(d, "response");
  if (!response.is_object()) return out + "response: none\n";
  out += "response status" + std::string(response.contains("headers") ? " and headers" : "") + ":\n";
  out += fence.wrap(scalar_text(response.at("status")) + " " + one_line(scalar_text(member(response, "status_text")), 200) +
                    "\n" + headers_lines(member(response, "headers")));
  if (response.contains("body")) out += body_text("response", response.at("body"), fence);
  if (member(d, "websocket").is_object()) out += websocket_text(d.at("websocket"), fence);
  return out;
}

}  // namespace trafficdb::mcp
