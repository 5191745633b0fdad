// Running a person's or an agent's SQL safely: one statement, read-only.
//
// The statement runs on the given connection (open it read-only) under an
// authorizer that allows reading only: SELECT (with CTEs, joins, functions)
// and a few introspection pragmas (table_info, index_list, ...). Writes,
// schema changes, ATTACH/DETACH, transactions, pragma assignments and
// load_extension are refused before anything runs. A time limit stops a
// runaway query (progress handler), and a row limit caps the result; each is
// reported when hit.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

struct SqlBlob {
  std::string bytes;
};
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string, SqlBlob>;

struct SqlLimits {
  std::size_t max_rows = 1000;
  std::chrono::milliseconds time_limit{10000};
};

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
  bool row_limit_hit = false;  // more rows existed than max_rows
};

Result<SqlResult> run_readonly_sql(SQLite::Database& db, std::string_view sql, const SqlLimits& limits);

}  // namespace trafficdb
