// Running a person's or an agent's SQL safely: one statement, read-only.
//
// The statement runs on the given connection (open it read-only) under an
// authorizer that allows reading only: SELECT (with CTEs, joins, functions)
// and a few introspection pragmas (table_info, index_list, ...). Writes,
// schema changes, ATTACH/DETACH, transactions, pragma assignments and
// load_extension are refused before anything runs. A time limit stops a
// runaway query (progress handler), and a row limit caps the result; each is
// reported when hit, and so is a byte limit on the whole result (no single
// value may exceed it either: SQLite's length limit is lowered to it).
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
  std::size_t max_bytes = 64u << 20;  // of all values in the result
  std::chrono::milliseconds time_limit{10000};
};

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
  bool row_limit_hit = false;   // more rows existed than max_rows
  bool byte_limit_hit = false;  // the result stopped at max_bytes
};

Result<SqlResult> run_readonly_sql(SQLite::Database& db, std::string_view sql, const SqlLimits& limits);

}  // namespace trafficdb
