#include "query/query_database.h"

#include "query/sql_functions.h"

namespace trafficdb {

Result<std::unique_ptr<SQLite::Database>> open_query_database(const std::string& path, OpenMode mode) {
  auto db = open_database(path, mode);
  if (!db.is_ok()) return db;
  if (Status s = register_sql_functions(**db); !s.is_ok()) return s;
  return db;
}

}  // namespace trafficdb
