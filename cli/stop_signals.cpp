#include "cli/stop_signals.h"

#include <pthread.h>

#include <cerrno>

namespace trafficdb {

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
}

StopSignals::~StopSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

int StopSignals::wait(std::optional<std::chrono::milliseconds> limit, const std::function<bool()>& give_up) {
  const auto deadline = limit ? std::chrono::steady_clock::now() + *limit : std::chrono::steady_clock::time_point::max();
  for (;;) {
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return 0;
    if (give_up && give_up()) return 0;
    // Wake at least every second so a far deadline needs no special case.
    const auto step = std::min<std::chrono::steady_clock::duration>(left, std::chrono::seconds(1));
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(step);
    timespec ts{static_cast<time_t>(secs.count()),
                static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(step - secs).count())};
    const int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig > 0) return sig;
    if (sig < 0 && errno != EAGAIN && errno != EINTR) return 0;
  }
}

}  // namespace trafficdb
