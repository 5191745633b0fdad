#include "store/path_template_function.h"

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "model/path_template.h"

namespace trafficdb {
namespace {

void path_template_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string templated =
      path_template(std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, templated.data(), static_cast<int>(templated.size()), SQLITE_TRANSIENT);
}

}  // namespace

Status register_path_template_function(SQLite::Database& db) {
  sqlite3* handle = db.getHandle();
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  if (sqlite3_create_function_v2(handle, "path_template", 1, flags, nullptr, path_template_function, nullptr,
                                 nullptr, nullptr) != SQLITE_OK)
    return Status::error(std::string("cannot register path_template(): ") + sqlite3_errmsg(handle));
  return Status::ok();
}

}  // namespace trafficdb
