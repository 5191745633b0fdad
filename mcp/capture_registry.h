// CaptureRegistry: the live recordings an MCP server runs (start_capture /
// stop_capture), each into its own session (ingest/live_recording.h). A
// capture ends when stopped, when it is due (its duration or exchange limit
// reached, or its source or database failed: a watcher thread stops it),
// or when the registry is destroyed (the server exits). Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "ingest/live_recording.h"

namespace trafficdb::mcp {

class CaptureRegistry {
 public:
  explicit CaptureRegistry(std::string db_path);
  ~CaptureRegistry();  // stops every capture still running

  // Starts a recording into `db_path`'s database (options.db_path is set
  // here). On failure nothing is left behind.
  Result<std::int64_t> start(LiveRecordingOptions options);

  // Stops the capture recording into `session_id`: Status::not_found when
  // none is. When its session row could not be ended (RecordingEnd::ended),
  // it stays registered, so a later stop can retry.
  Result<RecordingEnd> stop(std::int64_t session_id);

 private:
  void watch();

  const std::string db_path_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::int64_t, std::unique_ptr<LiveRecording>> running_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace trafficdb::mcp
