#include "cli/command_support.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
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

namespace {

// True when stderr is the systemd journal's stream (systemd names it in
// JOURNAL_STREAM as "device:inode"): the journal stamps each line itself.
bool stderr_is_journal() {
  static const bool is_journal = [] {
    const char* stream = std::getenv("JOURNAL_STREAM");
    unsigned long long device = 0, inode = 0;
    struct stat st{};
    return stream != nullptr && std::sscanf(stream, "%llu:%llu", &device, &inode) == 2 &&
           fstat(STDERR_FILENO, &st) == 0 && st.st_dev == device && st.st_ino == inode;
  }();
  return is_journal;
}

}  // namespace

void log_with_time(const std::string& who, const std::string& line) {
  if (stderr_is_journal()) {
    std::cerr << who << ": " << line << std::endl;
  } else {
    std::cerr << format_human_time(now_micros()) << ' ' << who << ": " << line << std::endl;
  }
}

}  // namespace trafficdb
