// Small helpers the benchmark programs share: argument parsing, number
// formatting for their JSON lines, medians, HTTP dates, and scratch files.
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "store/headers_json.h"

namespace bench {

inline bool parse_u64(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

inline std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

inline bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

inline std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

inline void remove_database(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
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
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) add(path + suffix);
  }

 private:
  std::vector<std::string> paths_;
};

inline std::string json_string(std::string_view s) {
  std::string out;
  trafficdb::append_json_string(out, s);
  return out;
}

inline std::string json_array(const std::vector<double>& v, int decimals) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + fixed(v[i], decimals);
  return out + "]";
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// "Mon, 11 Mar 2024 10:42:03 GMT" (RFC 9110 IMF-fixdate) for a time in
// microseconds since the Unix epoch.
inline std::string http_date(std::int64_t unix_micros) {
  const std::time_t seconds = static_cast<std::time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

}  // namespace bench
