// Files in and out: importing a capture, exporting HAR, saving a body.
// Paths must lie in a directory the server was allowed at start
// (--allow-dir).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "mcp/compact_text.h"
#include "mcp/context.h"
#include "mcp/tools.h"
#include "query/exchange_loader.h"
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

// Writes `bytes` to `path`: a new file only (fopen "x": an existing file or a
// symlink is refused at open, so nothing is replaced by a race), or, with
// `overwrite`, through a new temporary file (also "x", so a symlink planted
// at its name is not followed) renamed over the old one.
void write_file(const std::string& path, std::string_view bytes, bool overwrite) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw ToolError("'" + path + "' is a directory; give a file name in it");
  if (!overwrite && fs::exists(fs::symlink_status(path, ec)))
    throw ToolError("'" + path + "' exists; choose another path, or pass overwrite: true to replace it");
  const std::string target = overwrite ? path + ".partial" : path;
  std::FILE* f = std::fopen(target.c_str(), "wbx");
  if (!f) {
    if (!overwrite && fs::exists(fs::symlink_status(path, ec)))
      throw ToolError("'" + path + "' exists; choose another path, or pass overwrite: true to replace it");
    throw ToolError("cannot create '" + target + "': " + std::strerror(errno));
  }
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    fs::remove(target, ec);
    throw ToolError("writing '" + target + "' failed");
  }
  if (overwrite) {
    fs::rename(target, path, ec);
    if (ec) {
      fs::remove(target, ec);
      throw ToolError("cannot replace '" + path + "': " + ec.message());
    }
  }
}

ToolResult save_body(ToolCall& call) {
  const json& a = call.arguments;
  const std::string path = call.context.allowed_path(a.at("path").get<std::string>());
  const std::int64_t id = a.at("id").get<std::int64_t>();
  const std::string part = a.at("part").get<std::string>();
  auto db = call.context.read_db();
  auto loaded = load_exchange(*db, id, 0);
  if (!loaded.is_ok()) throw ToolError(loaded.status().message());
  if (!loaded->has_value())
    throw ToolError("no exchange with id " + std::to_string(id) + "; ids come from peek_exchanges or filter_exchanges");
  const Exchange& ex = (*loaded)->exchange;
  if (part == "response" && !ex.response)
    throw ToolError("exchange " + std::to_string(id) + " has no response" +
                    (ex.error.empty() ? std::string() : " (" + ex.error + ")"));
  const Body& body = part == "response" ? ex.response->body : ex.request.body;
  const Headers& headers = part == "response" ? ex.response->headers : ex.request.headers;
  if (!body.captured && body.data.empty())
    throw ToolError("the " + part + " body of exchange " + std::to_string(id) + " was not captured");
  write_file(path, body.data, a.at("overwrite").get<bool>());
  const auto type = find_header(headers, "content-type");
  const auto full = body.decoded_size();
  return {{{"id", id},
           {"part", part},
           {"path", path},
           {"size", body.data.size()},
           {"content_type", type ? json(std::string(*type)) : json(nullptr)},
           {"complete", !full || *full <= static_cast<std::int64_t>(body.data.size())},
           {"full_size", full ? json(*full) : json(nullptr)}},
          {"trafficdb://exchanges/" + std::to_string(id)}};
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
      false, false, false, false, import_capture, fields_text});
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
      false, false, true, false, export_har_file, fields_text});
  tools.push_back(Tool{
      "save_body", "Save a body to a file",
      "Writes one exchange's whole request or response body (decoded, as stored) to a file, for bodies no "
      "context should hold (images, archives, big JSON): read or process the file with other tools instead. "
      "The path must be inside an allowed directory (--allow-dir); an existing file is refused unless overwrite "
      "is true. Returns the path, the bytes written and the body's content type; complete is false when the "
      "store kept only part of the body (full_size says how big it was).",
      {{"id", T::integer, "The exchange id", nullptr, 1, std::nullopt, {}, true, "42"},
       {"path", T::string, "The file to write", nullptr, std::nullopt, std::nullopt, {}, true,
        "\"bodies/42.json\""},
       {"part", T::string, "Which body", "response", std::nullopt, std::nullopt, {"response", "request"}},
       {"overwrite", T::boolean, "Replace the file if it exists", false}},
      {{"type", "object"},
       {"properties",
        {{"id", {{"type", "integer"}}},
         {"part", {{"type", "string"}, {"enum", {"response", "request"}}}},
         {"path", {{"type", "string"}}},
         {"size", {{"type", "integer"}, {"description", "Bytes written"}}},
         {"content_type", {{"type", json::array({"string", "null"})}}},
         {"complete", {{"type", "boolean"}, {"description", "false: the store kept only part of the body"}}},
         {"full_size", {{"type", json::array({"integer", "null"})}}}}},
       {"required", {"id", "part", "path", "size", "content_type", "complete"}}},
      false, false, false, false, save_body, saved_body_text});
  return tools;
}

}  // namespace trafficdb::mcp
