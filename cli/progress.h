// A one-line progress display on stderr, redrawn in place, for terminals only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace trafficdb {

class ProgressLine {
 public:
  // Shows nothing unless stderr is a terminal and `total_bytes` is at least
  // `min_bytes` (small files finish before a line would help).
  ProgressLine(std::string label, std::uint64_t total_bytes, std::uint64_t min_bytes = 8u << 20);
  ~ProgressLine();

  void update(std::uint64_t bytes, std::size_t exchanges);
  void finish();  // erases the line

 private:
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace trafficdb
