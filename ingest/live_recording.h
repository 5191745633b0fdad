// LiveRecording: one live source recording into one new session, from start
// to finish — the routine `trafficdb record` and MCP's start_capture /
// stop_capture share.
//
// start() opens a Writer on the database, creates the session 'recording'
// (which takes its lease, store/recording_lease.h), builds the source from
// its config (recorder/live_source_factory.h) and starts it. When anything
// fails on the way, nothing is left behind: no session row, no lease. With
// the config's wait_for_source, a source that cannot be reached is not a
// failure: the session is 'recording' while the source is waited for
// (recorder/waiting_source.h), and the waits are in its integrity.
//
// The recording then runs until its owner calls stop(). due() says when it
// is time to: the duration has passed, max_exchanges are stored, or the
// source or the database cannot go on. stop() stops the source (what is
// still open is stored with an error), commits everything queued and ends
// the session 'stopped', or 'failed' with why. If the session row cannot be
// ended (the database is locked past the writer's retries), stop() says so
// in `ended` and may be called again.
//
// Thread-safe: due(), session_id() and source_status() may be called while
// another thread stops it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "recorder/live_source_factory.h"
#include "store/retention_keeper.h"

namespace trafficdb {

class Writer;

struct LiveRecordingOptions {
  std::string db_path;
  std::string name;  // session name; "" = the source, its address and the start time
  LiveSourceConfig source;
  std::optional<std::chrono::milliseconds> duration;  // nullopt: until stopped
  std::optional<std::uint64_t> max_exchanges;         // stored, then due(); later exchanges are not kept
  // How often the database's retention policy is applied while recording
  // (store/retention_keeper.h); pruning may remove this session's oldest exchanges too.
  std::chrono::milliseconds retention_interval{30000};
  RetentionKeeper::RoundObserver on_retention_round;  // each round's report or failure; may be empty
};

struct RecordingEnd {
  std::int64_t session_id = 0;
  std::uint64_t exchanges = 0;  // stored by the source
  std::string summary;          // the source's own account (LiveSource::summary)
  Status failure;               // why recording failed (the source or the database); ok when it did not
  Status ended;                 // ending the session row; not ok: call stop() again
};

class LiveRecording {
 public:
  static Result<std::unique_ptr<LiveRecording>> start(LiveRecordingOptions options);
  ~LiveRecording();  // stop(), if not done
  LiveRecording(const LiveRecording&) = delete;
  LiveRecording& operator=(const LiveRecording&) = delete;

  std::int64_t session_id() const { return session_id_; }
  const std::string& name() const { return name_; }
  // What it records from, as the source says (LiveSource::describe).
  std::string describe() const;
  LiveSourceStatus source_status() const;
  std::vector<SourceCount> source_counts() const;

  // True when it is time to stop(): duration over, max_exchanges stored,
  // or the source or the writer failed. Also keeps the session's capture
  // integrity (sessions.integrity) up to date, every few seconds.
  bool due() const;

  RecordingEnd stop();

 private:
  class LimitedSink;
  LiveRecording() = default;

  LiveRecordingOptions options_;
  std::string name_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<ExchangeSink> writer_sink_;
  std::unique_ptr<LimitedSink> sink_;
  std::unique_ptr<LiveSource> source_;
  std::int64_t session_id_ = 0;
  std::optional<std::chrono::steady_clock::time_point> deadline_;

  void save_integrity() const;
  mutable std::mutex integrity_mu_;
  mutable std::chrono::steady_clock::time_point integrity_saved_{};
  bool integrity_final_ = false;  // saved by stop(): due() leaves it (guarded by integrity_mu_)

  std::mutex stop_mu_;
  bool source_stopped_ = true;  // until started
  bool session_ended_ = true;
  Status source_failure_;
};

}  // namespace trafficdb
