// McpContext: what every tool call shares — the database, the directories
// files may be read from and written to, and the running captures.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "mcp/capture_registry.h"

namespace trafficdb::mcp {

struct McpOptions {
  std::string db_path;
  std::vector<std::string> allowed_dirs;  // absolute, normalized
};

class McpContext {
 public:
  explicit McpContext(McpOptions options);

  const std::string& db_path() const { return options_.db_path; }
  const std::vector<std::string>& allowed_dirs() const { return options_.allowed_dirs; }

  // A connection with trafficdb's SQL functions, opened for this call (each
  // call may run on its own thread). Throws ToolError when it cannot open.
  std::unique_ptr<SQLite::Database> read_db() const;
  std::unique_ptr<SQLite::Database> write_db() const;

  // `path` made absolute, when it lies inside an allowed directory (after
  // resolving symlinks and ..); throws ToolError otherwise.
  std::string allowed_path(const std::string& path) const;

  CaptureRegistry& captures() { return captures_; }

 private:
  McpOptions options_;
  CaptureRegistry captures_;
};

}  // namespace trafficdb::mcp
