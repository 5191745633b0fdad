#include "store/database.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "store/migrations.h"
#include "store/write_lock.h"

namespace trafficdb {
namespace {

// No writes to the schema by SQL (DEFENSIVE) and no fts3_tokenizer pointers.
void harden(SQLite::Database& db) {
  sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, nullptr);
}

void apply_connection_pragmas(SQLite::Database& db) {
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA cache_size = -65536");  // 64 MiB
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA mmap_size = 268435456");
}

Result<std::unique_ptr<SQLite::Database>> open_read_write_once(const std::string& path) {
  {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 kBusyTimeoutMs);
    harden(*db);
    // Refuse another program's database before changing anything in it.
    if (Status s = check_database_owner(*db); !s.is_ok()) return s.prefixed(path + ": ");
    if (Status s = refuse_newer_schema(*db); !s.is_ok()) return s.prefixed(path + ": ");
    // page_size only takes effect on a new, empty file, before WAL is on.
    db->exec("PRAGMA page_size = " + std::to_string(kPageSize));
    // Likewise on a new file: pruning can then give free pages back
    // (store/pruning.h). An older file keeps auto_vacuum = NONE until
    // `trafficdb prune --vacuum` rewrites it once.
    db->exec("PRAGMA auto_vacuum = INCREMENTAL");
    const std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") return Status::error(path + ": cannot switch to WAL mode (journal_mode is " + mode + ")");
    db->exec("PRAGMA synchronous = NORMAL");
    db->exec("PRAGMA wal_autocheckpoint = " + std::to_string(kWalAutocheckpointPages));
    db->exec("PRAGMA journal_size_limit = " + std::to_string(kWalSizeLimitBytes));
    apply_connection_pragmas(*db);
    MigrateOptions options;
    options.notice = [&path](const std::string& line) { std::cerr << "trafficdb: " << path << ": " << line << std::endl; };
    if (Status s = migrate(*db, embedded_migrations(), options); !s.is_ok()) return s.prefixed(path + ": ");
    return db;
  }
}

// Switching a new file to WAL needs it to itself for a moment; when several
// processes create the same file at once, SQLite answers "locked" without
// waiting, so the whole opening is tried again for a while.
Result<std::unique_ptr<SQLite::Database>> open_read_write(const std::string& path) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    try {
      return open_read_write_once(path);
    } catch (const SQLite::Exception& e) {
      if (!is_busy(e) || std::chrono::steady_clock::now() >= give_up)
        return Status::with_code(is_busy(e) ? Status::Code::busy : Status::Code::io_error, path + ": " + e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace

Result<std::unique_ptr<SQLite::Database>> open_database(const std::string& path, OpenMode mode) {
  if (mode == OpenMode::read_write) return open_read_write(path);

  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Status::not_found(path + ": no such database (import or record something first)");
  try {
    // NOMUTEX: a connection is used by one thread at a time (pools lend it
    // whole), so SQLite's per-call locking is only cost.
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
    harden(*db);
    bool older = false;
    Status s = check_schema(*db, &older);
    if (!s.is_ok() && older) {
      // Upgrade once through a read-write connection, then read.
      db.reset();
      auto rw = open_read_write(path);
      if (!rw.is_ok()) return rw.status();
      rw->reset();
      db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
      harden(*db);
      s = check_schema(*db);
    }
    if (!s.is_ok()) return s.prefixed(path + ": ");
    db->exec("PRAGMA query_only = ON");
    apply_connection_pragmas(*db);
    // Queries scan large indexes (statistics read a million entries): read
    // through a map of up to SQLite's 2 GB cap rather than a read() per
    // page. The mapped pages are the page cache's, shared and reclaimable.
    db->exec("PRAGMA mmap_size = 2147418112");
    return db;
  } catch (const SQLite::Exception& e) {
    return Status::error(path + ": " + e.what());
  }
}

}  // namespace trafficdb
