#include "query/readonly_sql.h"

#include "query/query_deadline.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <set>

namespace trafficdb {
namespace {

const std::set<std::string, std::less<>> kReadPragmas = {
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "table_list", "function_list", "collation_list", "database_list", "user_version", "application_id",
    "page_size", "page_count", "freelist_count", "schema_version", "journal_mode", "compile_options",
    "data_version"};  // FTS5 reads data_version on its own

struct AuthorizerState {
  std::string refused;  // first thing refused, for the message
};

int authorize(void* user, int action, const char* a, const char* b, const char*, const char*) {
  auto* state = static_cast<AuthorizerState*>(user);
  auto refuse = [&](std::string what) {
    if (state->refused.empty()) state->refused = std::move(what);
    return SQLITE_DENY;
  };
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (b && (std::strcmp(b, "load_extension") == 0 || std::strcmp(b, "readfile") == 0 ||
                std::strcmp(b, "writefile") == 0 || std::strcmp(b, "fts3_tokenizer") == 0 ||
                std::strcmp(b, "edit") == 0))
        return refuse(std::string("the function ") + b + "()");
      return SQLITE_OK;
    case SQLITE_PRAGMA:
      // a: pragma name, b: its argument (an assignment when set and not a
      // table name for the introspection pragmas).
      if (a && kReadPragmas.count(a) &&
          (b == nullptr || std::strcmp(a, "table_info") == 0 || std::strcmp(a, "table_xinfo") == 0 ||
           std::strncmp(a, "index_", 6) == 0 || std::strcmp(a, "foreign_key_list") == 0 ||
           std::strcmp(a, "table_list") == 0))
        return SQLITE_OK;
      return refuse(std::string("PRAGMA ") + (a ? a : "") + (b ? " with a value" : ""));
    case SQLITE_ATTACH: return refuse("ATTACH");
    case SQLITE_DETACH: return refuse("DETACH");
    case SQLITE_TRANSACTION: return refuse("transactions");
    case SQLITE_SAVEPOINT: return refuse("SAVEPOINT");
    case SQLITE_INSERT: return refuse("INSERT");
    case SQLITE_UPDATE:
      // SQLite itself asks this when a statement first uses an eponymous
      // virtual table such as json_each(); the connection is read-only, so
      // it changes nothing.
      if (a && (std::strcmp(a, "sqlite_master") == 0 || std::strcmp(a, "sqlite_temp_master") == 0))
        return SQLITE_OK;
      return refuse("UPDATE");
    case SQLITE_DELETE: return refuse("DELETE");
    default: return refuse("statements that change the database");
  }
}

bool only_space_or_comments(const char* tail) {
  const char* p = tail;
  while (*p) {
    if (std::isspace(static_cast<unsigned char>(*p)) || *p == ';') {
      ++p;
    } else if (p[0] == '-' && p[1] == '-') {
      while (*p && *p != '\n') ++p;
    } else if (p[0] == '/' && p[1] == '*') {
      const char* end = std::strstr(p + 2, "*/");
      if (!end) return true;
      p = end + 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<SqlResult> run_readonly_sql(SQLite::Database& database, std::string_view sql, const SqlLimits& limits) {
  sqlite3* db = database.getHandle();
  const std::string text(sql);
  AuthorizerState auth;
  QueryDeadline deadline(database, limits.time_limit);

  sqlite3_set_authorizer(db, authorize, &auth);
  const int max_length = static_cast<int>(std::min<std::size_t>(limits.max_bytes, 1'000'000'000));
  const int old_length = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, max_length);
  struct Restore {
    sqlite3* db;
    int length;
    ~Restore() {
      sqlite3_set_authorizer(db, nullptr, nullptr);
      sqlite3_limit(db, SQLITE_LIMIT_LENGTH, length);
    }
  } restore{db, old_length};

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int prc = sqlite3_prepare_v2(db, text.c_str(), static_cast<int>(text.size()), &raw, &tail);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
  if (prc != SQLITE_OK) {
    if (!auth.refused.empty())
      return Status::invalid_input("refused: " + auth.refused +
                                   " is not allowed; this connection only reads (use SELECT)");
    return Status::invalid_input(std::string("SQL error: ") + sqlite3_errmsg(db));
  }
  if (!stmt) return Status::invalid_input("no SQL statement given");
  if (tail && !only_space_or_comments(tail))
    return Status::invalid_input("only one SQL statement at a time (found more after the first ';')");
  if (!sqlite3_stmt_readonly(stmt.get()))
    return Status::invalid_input("refused: the statement would change the database; this connection only reads");

  SqlResult result;
  std::size_t bytes = 0;
  const int ncols = sqlite3_column_count(stmt.get());
  for (int i = 0; i < ncols; ++i) result.columns.emplace_back(sqlite3_column_name(stmt.get(), i));

  for (;;) {
    const int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      if (sqlite3_errcode(db) == SQLITE_TOOBIG)
        return Status::invalid_input("a value in the result is larger than the limit of " +
                                     std::to_string(limits.max_bytes) + " bytes");
      if (deadline.expired())
        return Status::cancelled("query stopped: it ran longer than the time limit of " +
                                 std::to_string(limits.time_limit.count()) + " ms (narrow it, or add LIMIT)");
      return Status::error(std::string("SQL error: ") + sqlite3_errmsg(db));
    }
    if (result.rows.size() >= limits.max_rows) {
      result.row_limit_hit = true;
      break;
    }
    if (bytes >= limits.max_bytes) {
      result.byte_limit_hit = true;
      break;
    }
    std::vector<SqlValue> row;
    row.reserve(ncols);
    for (int i = 0; i < ncols; ++i) {
      switch (sqlite3_column_type(stmt.get(), i)) {
        case SQLITE_INTEGER: row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt.get(), i))); break;
        case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(stmt.get(), i)); break;
        case SQLITE_TEXT: {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), i));
          row.emplace_back(std::string(p, sqlite3_column_bytes(stmt.get(), i)));
          bytes += static_cast<std::size_t>(sqlite3_column_bytes(stmt.get(), i));
          break;
        }
        case SQLITE_BLOB: {
          const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt.get(), i));
          const int n = sqlite3_column_bytes(stmt.get(), i);
          row.emplace_back(SqlBlob{std::string(p ? p : "", p ? n : 0)});
          bytes += static_cast<std::size_t>(n);
          break;
        }
        default: row.emplace_back(std::monostate{}); break;
      }
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace trafficdb
