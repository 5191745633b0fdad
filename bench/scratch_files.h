// The files a benchmark makes and measures: where temporary ones go,
// whether one exists, how big it is, and removing them however the run ends.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// "$TMPDIR/trafficdb-<name>-<pid>" (TMPDIR defaults to /tmp): the stem of a
// run's temporary files; callers add ".db", ".log", ...
inline std::string scratch_stem(std::string_view name) {
  return (std::filesystem::temp_directory_path() /
          ("trafficdb-" + std::string(name) + "-" + std::to_string(::getpid())))
      .string();
}

inline bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// 0 when there is no such file.
inline std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// A database's files: SQLite's companions and the recording lease file the
// store keeps beside it (store/recording_lease.h).
inline constexpr const char* kDatabaseSuffixes[] = {"", "-wal", "-shm", "-journal", "-recording"};

// Reads `path` once, so that a timed run finds it in the page cache.
inline void warm_page_cache(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return;
  std::vector<char> buf(1 << 20);
  while (std::fread(buf.data(), 1, buf.size(), f) > 0) {
  }
  std::fclose(f);
}

// Removes a database and its companion files.
inline void remove_database(const std::string& path) {
  for (const char* suffix : kDatabaseSuffixes) std::remove((path + suffix).c_str());
}

// Removes temporary files however the program's run ends.
class RemoveOnExit {
 public:
  RemoveOnExit() = default;
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  ~RemoveOnExit() {
    for (const std::string& p : paths_) std::remove(p.c_str());
  }
  void add(const std::string& path) { paths_.push_back(path); }
  void add_database(const std::string& path) {
    for (const char* suffix : kDatabaseSuffixes) add(path + suffix);
  }

 private:
  std::vector<std::string> paths_;
};

}  // namespace bench
