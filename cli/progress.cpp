#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace trafficdb {

ProgressLine::ProgressLine(std::string label, std::uint64_t total_bytes, std::uint64_t min_bytes)
    : label_(std::move(label)), total_(total_bytes), enabled_(isatty(STDERR_FILENO) && total_bytes >= min_bytes) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(std::uint64_t bytes, std::size_t exchanges) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  drawn_ = true;
  const double pct = total_ ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total_) : 0.0;
  std::fprintf(stderr, "\r\033[K%s: %5.1f%%  %.1f / %.1f MB  %zu exchanges", label_.c_str(), pct,
               static_cast<double>(bytes) / 1e6, static_cast<double>(total_) / 1e6, exchanges);
  std::fflush(stderr);
}

void ProgressLine::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace trafficdb
