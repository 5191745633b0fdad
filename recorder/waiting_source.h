// WaitingSource: a LiveSource that waits for its source instead of failing
// (`trafficdb record ... --wait`): when the source cannot be reached at
// start (Charles not running yet, no Mockttp admin server, no such
// interface), or fails later (the interface went down, an attached HTTP
// Toolkit session is gone), it builds the source again from its config and
// retries, with backoff (first_backoff, doubling up to max_backoff), until
// it starts or stop() is called. Retries a source's own reconnection
// handles (Charles polls, HTTP Toolkit's subscription) stay the source's.
//
// Each wait is logged when it begins and ends, and counted in counts() —
// kept as the session's capture integrity: source_waits (times the source
// was missing and waited for), source_wait_ms (time without a source, in
// all) and source_waits_by_reason. Counts of earlier runs of the source
// are added to the current one's, so a session's totals cover all of them.
//
// start() never fails (config errors are the factory's, before anything
// runs); status().failed is never set: the owner stops it when it likes.
// stop() stops the retries and the current source, and returns the
// source's failure, if any. Thread-safe like every LiveSource. The sink is
// not owned and must outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/exchange_sink.h"
#include "recorder/live_source.h"

namespace trafficdb {

struct WaitingSourceOptions {
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  // How often a running source is checked for having failed.
  std::chrono::milliseconds check_interval{250};
  std::string describe_waiting;  // what describe() says while there is no source ("httptoolkit at http://...")
  std::function<void(const std::string&)> log;  // may be empty
};

class WaitingSource final : public LiveSource {
 public:
  // Builds a new, unstarted source (over the same sink) for each attempt.
  using Factory = std::function<Result<std::unique_ptr<LiveSource>>()>;

  // `first` is the first attempt's source, already built (so its config
  // was checked); `factory` builds the next ones.
  WaitingSource(std::unique_ptr<LiveSource> first, Factory factory, WaitingSourceOptions options);
  ~WaitingSource() override;  // stop()
  WaitingSource(const WaitingSource&) = delete;
  WaitingSource& operator=(const WaitingSource&) = delete;

  Status start() override;
  Status stop() override;

  LiveSourceStatus status() const override;
  std::vector<SourceCount> counts() const override;
  std::string summary() const override;
  std::string describe() const override;

 private:
  void run();
  // Stops the failed current source, adding its counts to earlier_, and
  // begins a wait. The calls below take mu_ themselves.
  void retire_current();
  // One attempt; true when the source runs. Else a wait (logged with `retry_in`).
  bool try_start(std::chrono::milliseconds retry_in);
  void begin_wait(const std::string& why, std::chrono::milliseconds retry_in);
  void say(const std::string& line) const;

  const Factory factory_;
  const WaitingSourceOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::shared_ptr<LiveSource> current_;  // running; null while waiting
  std::shared_ptr<LiveSource> retiring_; // failed, being stopped: still counted
  std::unique_ptr<LiveSource> next_;     // built, not yet started (the first attempt)
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
  std::mutex stop_mu_;  // one stop() at a time

  // The counts the source reports (name, detail), from the first one built.
  std::vector<std::pair<std::string, std::string>> first_keys_;
  // Totals of the runs before the current one (name and detail → value).
  std::map<std::pair<std::string, std::string>, std::uint64_t> earlier_;
  std::uint64_t earlier_stored_ = 0;
  std::string earlier_summary_;
  // Waits: how many, since when (while waiting), how long in all, why.
  std::uint64_t waits_ = 0;
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  std::chrono::milliseconds waited_{0};
  std::map<std::string, std::uint64_t> wait_reasons_;
  std::string last_reason_;
};

}  // namespace trafficdb
