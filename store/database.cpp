#include "store/database.h"

#include <sys/stat.h>

#include "store/migrations.h"

namespace trafficdb {
namespace {

void apply_connection_pragmas(SQLite::Database& db) {
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA cache_size = -65536");  // 64 MiB
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA mmap_size = 268435456");
}

Result<std::unique_ptr<SQLite::Database>> open_read_write(const std::string& path) {
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 kBusyTimeoutMs);
    // page_size only takes effect on a new, empty file, before WAL is on.
    db->exec("PRAGMA page_size = " + std::to_string(kPageSize));
    const std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") return Status::error(path + ": cannot switch to WAL mode (journal_mode is " + mode + ")");
    db->exec("PRAGMA synchronous = NORMAL");
    db->exec("PRAGMA wal_autocheckpoint = " + std::to_string(kWalAutocheckpointPages));
    apply_connection_pragmas(*db);
    if (Status s = migrate(*db); !s.is_ok()) return Status::error(path + ": " + s.message());
    return db;
  } catch (const SQLite::Exception& e) {
    return Status::error(path + ": " + e.what());
  }
}

}  // namespace

Result<std::unique_ptr<SQLite::Database>> open_database(const std::string& path, OpenMode mode) {
  if (mode == OpenMode::read_write) return open_read_write(path);

  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Status::error(path + ": no such database (import or record something first)");
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY, kBusyTimeoutMs);
    bool older = false;
    Status s = check_schema(*db, &older);
    if (!s.is_ok() && older) {
      // Upgrade once through a read-write connection, then read.
      db.reset();
      auto rw = open_read_write(path);
      if (!rw.is_ok()) return rw.status();
      rw->reset();
      db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY, kBusyTimeoutMs);
      s = check_schema(*db);
    }
    if (!s.is_ok()) return Status::error(path + ": " + s.message());
    db->exec("PRAGMA query_only = ON");
    apply_connection_pragmas(*db);
    return db;
  } catch (const SQLite::Exception& e) {
    return Status::error(path + ": " + e.what());
  }
}

}  // namespace trafficdb
