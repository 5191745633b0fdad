#include "query/sql_functions.h"

#include <re2/re2.h>
#include <sqlite3.h>

#include <cctype>
#include <memory>

#include "store/path_template_function.h"

namespace trafficdb {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool all_hex(std::string_view s) {
  for (const char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

void regexp_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  auto* re = static_cast<RE2*>(sqlite3_get_auxdata(ctx, 0));
  if (!re) {
    const auto* pattern = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const int length = sqlite3_value_bytes(argv[0]);
    if (length > 4096) {
      sqlite3_result_error(ctx, "regexp: pattern longer than 4096 characters", -1);
      return;
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(8 << 20);
    auto compiled = std::make_unique<RE2>(re2::StringPiece(pattern, static_cast<std::size_t>(length)), options);
    if (!compiled->ok()) {
      const std::string message = "regexp: RE2 refuses the pattern: " + compiled->error();
      sqlite3_result_error(ctx, message.c_str(), -1);
      return;
    }
    re = compiled.release();
    sqlite3_set_auxdata(ctx, 0, re, [](void* p) { delete static_cast<RE2*>(p); });
    re = static_cast<RE2*>(sqlite3_get_auxdata(ctx, 0));
    if (!re) {  // SQLite could not keep it: it was freed; compile per call
      sqlite3_result_error(ctx, "regexp: out of memory", -1);
      return;
    }
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  const int text_length = sqlite3_value_bytes(argv[1]);
  sqlite3_result_int(ctx, RE2::PartialMatch(re2::StringPiece(text, static_cast<std::size_t>(text_length)), *re) ? 1 : 0);
}

void fold_path_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string folded = fold_path(std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, folded.data(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
}

}  // namespace

std::string fold_path(std::string_view path) {
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, slash - start);
    if (all_digits(segment) || is_uuid(segment) || (segment.size() >= 16 && all_hex(segment))) out += "{id}";
    else out += segment;
    if (slash == path.size()) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

Status register_sql_functions(SQLite::Database& db) {
  sqlite3* handle = db.getHandle();
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  if (sqlite3_create_function_v2(handle, "regexp", 2, flags, nullptr, regexp_function, nullptr, nullptr, nullptr) !=
          SQLITE_OK ||
      sqlite3_create_function_v2(handle, "fold_path", 1, flags, nullptr, fold_path_function, nullptr, nullptr,
                                 nullptr) != SQLITE_OK)
    return Status::error(std::string("cannot register SQL functions: ") + sqlite3_errmsg(handle));
  return register_path_template_function(db);
}

}  // namespace trafficdb
