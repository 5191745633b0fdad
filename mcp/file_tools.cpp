// Files in and out: importing a capture, exporting HAR. Paths must lie in a
// directory the server was allowed at start (--allow-dir).
#include <filesystem>
#include <fstream>

#include "mcp/context.h"
#include "mcp/tools.h"
#include "query/har_export.h"
#include "ingest/import_file.h"

namespace trafficdb::mcp {
namespace {

using json = nlohmann::json;
using T = ParamSpec::Type;

ToolResult import_capture(ToolCall& call) {
  const json& a = call.arguments;
  const std::string path = call.context.allowed_path(a.at("path").get<std::string>());
  FileImportOptions options;
  options.name = a.contains("name") ? a.at("name").get<std::string>() : "";
  if (a.contains("keylog")) options.key_log_files = {call.context.allowed_path(a.at("keylog").get<std::string>())};
  options.cancel = &call.cancelled;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  options.progress = [&](std::uint64_t bytes, std::size_t exchanges) {
    call.progress(static_cast<double>(bytes), ec ? std::nullopt : std::optional<double>(static_cast<double>(size)),
                  std::to_string(exchanges) + " exchanges stored");
  };
  auto imported = import_file(call.context.db_path(), path, options);
  if (!imported.is_ok()) throw ToolError(imported.status().message());
  const FileImportResult& r = *imported;
  json problems = json::array();
  for (std::size_t i = 0; i < r.report.problems.size() && i < 20; ++i)
    problems.push_back({{"where", r.report.problems[i].where},
                        {"message", r.report.problems[i].message},
                        {"rejected", r.report.problems[i].rejected}});
  json fatal = r.cancelled ? json("cancelled: the exchanges stored before stay")
               : r.storage_error ? json(*r.storage_error)
               : r.report.fatal ? json(*r.report.fatal)
                                : json(nullptr);
  ToolResult result;
  result.structured = {{"session_id", r.session_id == 0 ? json(nullptr) : json(r.session_id)},
                       {"format", r.format},
                       {"stored", r.committed},
                       {"rejected", r.report.rejected},
                       {"problem_count", r.report.problem_count},
                       {"problems", problems},
                       {"notes", r.report.notes},
                       {"fatal", fatal}};
  if (r.session_id) result.resource_links.push_back("trafficdb://sessions/" + std::to_string(r.session_id));
  return result;
}

ToolResult export_har_file(ToolCall& call) {
  const json& a = call.arguments;
  const std::string path = call.context.allowed_path(a.at("path").get<std::string>());
  auto filter = filter_from_arguments(a);
  if (!filter.is_ok()) throw ToolError(filter.status().message());
  auto db = call.context.read_db();
  const std::string partial = path + ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) throw ToolError("cannot write " + partial);
  HarExportOptions options;
  options.cancel = &call.cancelled;
  options.redact = a.at("redact").get<bool>();
  options.progress = [&](std::size_t entries) {
    call.progress(static_cast<double>(entries), std::nullopt, "entries written");
  };
  auto entries = export_har(*db, *filter, out, options);
  out.close();
  if (!entries.is_ok() || !out) {
    std::filesystem::remove(partial);
    throw ToolError(entries.is_ok() ? "writing " + path + " failed" : entries.status().message());
  }
  std::filesystem::rename(partial, path);
  return {{{"path", path}, {"entries", *entries}}, {}};
}

}  // namespace

std::vector<Tool> file_tools() {
  std::vector<Tool> tools;
  tools.push_back(Tool{
      "import_capture", "Import a capture file",
      "Imports a pcap/pcapng capture (HTTP/1.x and HTTP/2, in clear or TLS decrypted with a key log), a Charles "
      ".chlsj session or a HAR file (detected by content) into a new session and returns its session_id and what "
      "was stored; problems are listed (entries cut or rejected). "
      "The path must be inside a directory the server was started with (--allow-dir). Sends progress; can be "
      "cancelled (what was stored stays). Then use filter_exchanges or traffic_stats on the session.",
      {{"path", T::string, "The file to import", nullptr, std::nullopt, std::nullopt, {}, true,
        "\"captures/checkout.pcap\""},
       {"name", T::string, "Session name (default: the file's name)", nullptr},
       {"keylog", T::string,
        "pcap/pcapng: a TLS key log (NSS format, what SSLKEYLOGFILE makes clients write) to decrypt HTTPS "
        "with; inside the allowed directories. Key logs embedded in a pcapng are always used",
        nullptr, std::nullopt, std::nullopt, {}, false, "\"captures/keys.log\""}},
      {{"type", "object"},
       {"properties",
        {{"session_id", {{"type", json::array({"integer", "null"})}}},
         {"format", {{"type", "string"}}},
         {"stored", {{"type", "integer"}}},
         {"rejected", {{"type", "integer"}}},
         {"problem_count", {{"type", "integer"}}},
         {"problems", {{"type", "array"}}},
         {"notes", {{"type", "array"}, {"items", {{"type", "string"}}}}},
         {"fatal", {{"type", json::array({"string", "null"})}}}}},
       {"required", {"session_id", "stored", "problems", "fatal"}}},
      false, false, false, false, import_capture});
  tools.push_back(Tool{
      "export_har", "Export exchanges as HAR",
      "Writes the exchanges matching the filters as a HAR 1.2 file (for browsers' devtools, Charles, other "
      "tools). The path must be inside an allowed directory (--allow-dir); an existing file is replaced. Secrets "
      "are masked unless redact is false.",
      with_filters({{"path", T::string, "Where to write the .har file", nullptr, std::nullopt, std::nullopt, {},
                     true, "\"export/errors.har\""},
                    {"redact", T::boolean, "Mask secrets in headers and query strings", true}}),
      {{"type", "object"},
       {"properties", {{"path", {{"type", "string"}}}, {"entries", {{"type", "integer"}}}}},
       {"required", {"path", "entries"}}},
      false, false, true, false, export_har_file});
  return tools;
}

}  // namespace trafficdb::mcp
