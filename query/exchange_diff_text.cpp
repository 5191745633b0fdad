#include "query/exchange_diff_text.h"

#include <cstdio>

namespace trafficdb {
namespace {

using json = nlohmann::json;

std::string scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ms(const json& v) {
  if (!v.is_number()) return "?";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", v.get<double>());
  return buf;
}

void headers_section(std::string& out, const char* title, const json& h) {
  if (h["added"].empty() && h["removed"].empty() && h["changed"].empty()) return;
  out += std::string(title) + "\n";
  for (const json& x : h["removed"]) out += "- " + scalar(x["name"]) + ": " + scalar(x["value"]) + "\n";
  for (const json& x : h["added"]) out += "+ " + scalar(x["name"]) + ": " + scalar(x["value"]) + "\n";
  for (const json& x : h["changed"]) {
    out += "- " + scalar(x["name"]) + ": " + scalar(x["a"]) + "\n";
    out += "+ " + scalar(x["name"]) + ": " + scalar(x["b"]) + (x.value("masked", false) ? "  (secret: masked)" : "") + "\n";
  }
}

std::string size_text(const json& body) {
  return scalar(body["size_a"]) + " -> " + scalar(body["size_b"]) + " bytes";
}

void body_section(std::string& out, const char* title, const json& body) {
  if (body["equal"].get<bool>()) return;
  const std::string kind = body["kind"];
  out += std::string(title) + " (" + kind + ", " + size_text(body) +
         (body.value("stored_partially", false) ? "; compared as stored, partially" : "") + ")\n";
  if (kind == "json") {
    const json& j = body["json"];
    if (j.value("summarized", false)) {
      out += "  " + scalar(j["reason"]) + "\n";
      return;
    }
    if (j.contains("note")) out += "  " + scalar(j["note"]) + "\n";
    for (const json& d : j["differences"]) {
      const std::string change = d["change"];
      if (change == "added") out += "+ " + scalar(d["path"]) + " = " + d["b"].dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
      else if (change == "removed") out += "- " + scalar(d["path"]) + " = " + d["a"].dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
      else
        out += "~ " + scalar(d["path"]) + ": " + d["a"].dump(-1, ' ', false, json::error_handler_t::replace) + " -> " +
               d["b"].dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    }
    if (j.contains("more_differences")) out += "  ... and " + scalar(j["more_differences"]) + " more differences\n";
  } else if (kind == "text") {
    const json& t = body["text"];
    if (t.value("summarized", false)) {
      out += "  " + scalar(t["reason"]) + "\n";
      return;
    }
    if (t.contains("note")) out += "  " + scalar(t["note"]) + "\n";
    out += t["unified"].get<std::string>();
    if (t.contains("omitted_lines")) out += "  ... " + scalar(t["omitted_lines"]) + " more diff lines\n";
  }
}

}  // namespace

std::string render_exchange_diff(const json& d) {
  std::string out = "diff #" + scalar(d["a"]["id"]) + " #" + scalar(d["b"]["id"]) + "\n";
  out += "--- #" + scalar(d["a"]["id"]) + "  " + scalar(d["a"]["started_at"]) + "  " + ms(d["a"]["duration_ms"]) + "\n";
  out += "+++ #" + scalar(d["b"]["id"]) + "  " + scalar(d["b"]["started_at"]) + "  " + ms(d["b"]["duration_ms"]) + "\n";
  if (d["identical"].get<bool>()) {
    out += "no differences";
    if (!d["ignored_headers"].empty()) out += " (volatile or ignored headers not compared)";
    return out + "\n";
  }
  const json& line = d["request_line"];
  if (!line.empty()) {
    out += "request line\n";
    for (const char* part : {"method", "url", "http_version"}) {
      if (!line.contains(part)) continue;
      out += "- " + scalar(line[part]["a"]) + "\n";
      out += "+ " + scalar(line[part]["b"]) + "\n";
    }
  }
  if (d.contains("status")) out += "status\n- " + scalar(d["status"]["a"]) + "\n+ " + scalar(d["status"]["b"]) + "\n";
  if (d.contains("error")) out += "error\n- " + scalar(d["error"]["a"]) + "\n+ " + scalar(d["error"]["b"]) + "\n";
  headers_section(out, "request headers", d["request"]["headers"]);
  body_section(out, "request body", d["request"]["body"]);
  headers_section(out, "response headers", d["response"]["headers"]);
  body_section(out, "response body", d["response"]["body"]);
  if (d["timing"].contains("duration_ms")) {
    const json& t = d["timing"]["duration_ms"];
    char delta[32];
    std::snprintf(delta, sizeof delta, "%+.1f ms", t["delta"].get<double>());
    out += "timing\n  " + ms(t["a"]) + " -> " + ms(t["b"]) + " (" + delta + ")\n";
  }
  if (!d["ignored_headers"].empty()) {
    std::string names;
    for (const json& n : d["ignored_headers"]) names += (names.empty() ? "" : ", ") + scalar(n);
    out += "(not compared: " + names + ")\n";
  }
  return out;
}

}  // namespace trafficdb
