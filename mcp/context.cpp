#include "mcp/context.h"

#include <filesystem>

#include "mcp/tool.h"
#include "query/query_database.h"

namespace trafficdb::mcp {

McpContext::McpContext(McpOptions options) : options_(std::move(options)), captures_(options_.db_path) {}

std::unique_ptr<SQLite::Database> McpContext::read_db() const {
  auto db = open_query_database(options_.db_path, OpenMode::read_only);
  if (!db.is_ok()) throw ToolError(db.status().message());
  return std::move(db).value();
}

std::unique_ptr<SQLite::Database> McpContext::write_db() const {
  auto db = open_query_database(options_.db_path, OpenMode::read_write);
  if (!db.is_ok()) throw ToolError(db.status().message());
  return std::move(db).value();
}

std::string McpContext::allowed_path(const std::string& path) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  // The file may not exist yet (an export): resolve its directory.
  const fs::path absolute = fs::absolute(path, ec);
  const fs::path resolved = fs::weakly_canonical(absolute, ec);
  if (ec) throw ToolError("path '" + path + "' cannot be resolved: " + ec.message());
  const std::string text = resolved.string();
  for (const std::string& dir : options_.allowed_dirs) {
    const std::string prefix = dir.back() == '/' ? dir : dir + "/";
    if (text.rfind(prefix, 0) == 0) return text;
  }
  std::string dirs;
  for (const std::string& dir : options_.allowed_dirs) dirs += (dirs.empty() ? "" : ", ") + dir;
  throw ToolError("path '" + path + "' is outside the directories this server may use (" + dirs +
                  "); start the server with --allow-dir to allow another");
}

}  // namespace trafficdb::mcp
