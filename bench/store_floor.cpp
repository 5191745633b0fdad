#include "store_floor.h"

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace bench {

double store_floor_seconds(const std::string& source, const std::string& target) {
  std::vector<std::string> schema;
  int page_size = 0;
  {
    SQLite::Database src(source, SQLite::OPEN_READONLY);
    page_size = src.execAndGet("PRAGMA page_size").getInt();
    // In creation order; indexes SQLite makes itself have no SQL.
    SQLite::Statement objects(src,
                              "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('table', 'index') "
                              "AND name NOT LIKE 'sqlite_%' ORDER BY rowid");
    while (objects.executeStep()) schema.push_back(objects.getColumn(0).getString());
  }
  {
    SQLite::Database dst(target, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    dst.exec("PRAGMA page_size = " + std::to_string(page_size));
    dst.exec("PRAGMA journal_mode = WAL");
    for (const std::string& sql : schema) {
      // A full-text table makes its shadow tables itself: skip them.
      try {
        dst.exec(sql);
      } catch (const SQLite::Exception&) {
        if (sql.rfind("CREATE TABLE", 0) != 0) throw;
      }
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  {
    SQLite::Database dst(target, SQLite::OPEN_READWRITE);
    dst.exec("PRAGMA synchronous = NORMAL");
    dst.exec("PRAGMA cache_size = -65536");
    SQLite::Statement attach(dst, "ATTACH DATABASE ? AS src");
    attach.bind(1, source);
    attach.exec();
    dst.exec("BEGIN IMMEDIATE");
    for (const char* table : {"sessions", "bodies", "exchanges", "websocket_messages"})
      dst.exec(std::string("INSERT INTO main.") + table + " SELECT * FROM src." + table);
    dst.exec("COMMIT");
    dst.exec("DETACH DATABASE src");
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace bench
