// McpContext: what every tool call shares — the database, the directories
// files may be read from and written to, and the running captures.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "mcp/capture_registry.h"

namespace trafficdb::mcp {

struct McpOptions {
  std::string db_path;
  std::vector<std::string> allowed_dirs;  // absolute, normalized
  // Hosts replay_exchange may send to besides an exchange's own origin
  // (recorder/replay/replay_policy.h patterns).
  std::vector<std::string> replay_allowed_hosts;
};

class McpContext;

// A connection lent by McpContext's pool; goes back to it when destroyed.
class PooledDatabase {
 public:
  PooledDatabase(McpContext& owner, std::unique_ptr<SQLite::Database> db, bool writable)
      : owner_(owner), db_(std::move(db)), writable_(writable) {}
  ~PooledDatabase();
  PooledDatabase(const PooledDatabase&) = delete;
  PooledDatabase& operator=(const PooledDatabase&) = delete;
  SQLite::Database& operator*() { return *db_; }
  SQLite::Database* operator->() { return db_.get(); }

 private:
  McpContext& owner_;
  std::unique_ptr<SQLite::Database> db_;
  bool writable_;
};

class McpContext {
 public:
  explicit McpContext(McpOptions options);

  const std::string& db_path() const { return options_.db_path; }
  const std::vector<std::string>& allowed_dirs() const { return options_.allowed_dirs; }
  const std::vector<std::string>& replay_allowed_hosts() const { return options_.replay_allowed_hosts; }

  // A connection with trafficdb's SQL functions for this call, from a pool
  // (kept open, so their page caches stay warm; calls on other threads get
  // other connections). Throws ToolError when one cannot be opened.
  PooledDatabase read_db();
  PooledDatabase write_db();

  // `path` made absolute, when it lies inside an allowed directory (after
  // resolving symlinks and ..); throws ToolError otherwise.
  std::string allowed_path(const std::string& path) const;

  CaptureRegistry& captures() { return captures_; }

 private:
  friend class PooledDatabase;
  static constexpr std::size_t kMaxIdle = 4;  // per kind
  PooledDatabase lend(bool writable);
  void give_back(std::unique_ptr<SQLite::Database> db, bool writable);

  McpOptions options_;
  CaptureRegistry captures_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<SQLite::Database>> idle_[2];  // [0] read-only, [1] read-write
};

}  // namespace trafficdb::mcp
