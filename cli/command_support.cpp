#include "cli/command_support.h"

#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "common/timestamp.h"
#include "query/query_database.h"

namespace trafficdb {

std::optional<ExchangeFilter> build_filter_or_report(const FilterOptions& options, int& exit_status) {
  auto filter = options.build();
  if (filter.is_ok()) return std::move(filter).value();
  std::cerr << "trafficdb: " << filter.status().message() << '\n';
  exit_status = exit_code::usage;
  return std::nullopt;
}

std::unique_ptr<SQLite::Database> open_or_report(const std::string& path, OpenMode mode, int& exit_status) {
  if (!std::filesystem::exists(path)) {
    std::cerr << "trafficdb: " << path << ": no such database (import or record something first)\n";
    exit_status = exit_code::unusable;
    return nullptr;
  }
  auto db = open_query_database(path, mode);
  if (db.is_ok()) return std::move(db).value();
  std::cerr << "trafficdb: " << db.status().message() << '\n';
  exit_status = exit_code::unusable;
  return nullptr;
}

void log_with_time(const std::string& who, const std::string& line) {
  std::cerr << format_human_time(now_micros()) << ' ' << who << ": " << line << std::endl;
}

}  // namespace trafficdb
