// RetentionKeeper: applies the database's retention policy (store/pruning.h)
// every kInterval for as long as a recorder runs, on a connection and thread
// of its own, so a recording into a database with a policy keeps it bounded.
// Between rounds it looks at the used size every kSizeCheckInterval and
// runs a round at once when a size limit is passed, so a fast recorder
// overshoots the limit by a few seconds of traffic, not by an interval's.
//
// Its vacuum leaves some free pages in the file (a quarter of a size limit,
// at most 64 MiB): the recorder fills them again within seconds, and giving
// them back would only move pages for the file to grow again.
//
// The policy is read from the file at each round, so `trafficdb retention
// set` takes effect on running recorders within kInterval. Each round prunes
// in small steps (PruneOptions: each step holds the write lock ~25 ms, then
// rests as long), so the writer it runs beside waits about one step at most.
// A round that fails (locked for longer than the busy timeout, disk full) is
// tried again at the next; recording goes on regardless. An observer, if
// given, hears of every round (what it removed, or why it failed), so a
// recorder can log them.
//
// Several processes may each run one on the same file: rounds are
// serialized by SQLite's write lock step by step and agree on what to remove.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "store/pruning.h"

namespace trafficdb {

struct RetentionRounds {
  std::uint64_t rounds = 0;        // rounds run (with a policy set)
  PruneReport removed;             // summed over all rounds
  std::string last_error;          // of the last round, "" when it succeeded
};

class RetentionKeeper {
 public:
  static constexpr std::chrono::milliseconds kInterval{30000};
  static constexpr std::chrono::milliseconds kSizeCheckInterval{2000};

  // Called on the keeper's thread after each round with a policy: its report, or why it failed.
  using RoundObserver = std::function<void(const Result<PruneReport>&)>;

  // Opens its own connection to `path`; the first round runs after `first_delay`.
  static Result<std::unique_ptr<RetentionKeeper>> start(const std::string& path,
                                                        std::chrono::milliseconds interval = kInterval,
                                                        std::chrono::milliseconds first_delay = std::chrono::seconds(1),
                                                        RoundObserver on_round = {});
  ~RetentionKeeper();  // stop()
  // Stops after the step in progress; rounds() still answers. Idempotent, thread-safe.
  void stop();
  RetentionKeeper(const RetentionKeeper&) = delete;
  RetentionKeeper& operator=(const RetentionKeeper&) = delete;

  RetentionRounds rounds() const;

 private:
  RetentionKeeper(std::unique_ptr<SQLite::Database> db, std::chrono::milliseconds interval,
                  std::chrono::milliseconds first_delay, RoundObserver on_round);
  void run();

  std::unique_ptr<SQLite::Database> db_;
  const std::chrono::milliseconds interval_, first_delay_;
  const RoundObserver on_round_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  RetentionRounds rounds_;
  std::mutex stop_mu_;
  std::thread thread_;
};

}  // namespace trafficdb
