#include "mcp/context.h"

#include <filesystem>

#include "mcp/tool.h"
#include "query/query_database.h"

namespace trafficdb::mcp {

McpContext::McpContext(McpOptions options) : options_(std::move(options)), captures_(options_.db_path) {}

PooledDatabase::~PooledDatabase() { owner_.give_back(std::move(db_), writable_); }

PooledDatabase McpContext::read_db() { return lend(false); }
PooledDatabase McpContext::write_db() { return lend(true); }

PooledDatabase McpContext::lend(bool writable) {
  std::unique_ptr<SQLite::Database> db;
  {
    std::lock_guard lk(pool_mu_);
    auto& idle = idle_[writable ? 1 : 0];
    if (!idle.empty()) {
      db = std::move(idle.back());
      idle.pop_back();
    }
  }
  if (!db) {
    auto opened = open_query_database(options_.db_path, writable ? OpenMode::read_write : OpenMode::read_only);
    if (!opened.is_ok()) throw ToolError(opened.status().message());
    db = std::move(opened).value();
  }
  return PooledDatabase(*this, std::move(db), writable);
}

void McpContext::give_back(std::unique_ptr<SQLite::Database> db, bool writable) {
  if (!db) return;
  std::lock_guard lk(pool_mu_);
  auto& idle = idle_[writable ? 1 : 0];
  if (idle.size() < kMaxIdle) idle.push_back(std::move(db));
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
