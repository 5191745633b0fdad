// Waiting for Ctrl-C / SIGTERM (or a deadline) while recorders run.
//
// Construct before starting any thread: it blocks SIGINT and SIGTERM for
// this thread and every thread started after, so the signal is taken only
// by wait(). Destruction restores the previous mask.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>
#include <optional>

namespace trafficdb {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Waits until SIGINT/SIGTERM arrives (returns its number), `limit` has
  // passed, or `give_up` (checked every second) says so (both return 0).
  int wait(std::optional<std::chrono::milliseconds> limit, const std::function<bool()>& give_up = {});

 private:
  sigset_t set_{};
  sigset_t previous_{};
};

}  // namespace trafficdb
