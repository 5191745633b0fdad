// CaptureRegistry: the live captures an MCP server runs (start_capture /
// stop_capture), each recording into its own session through its own
// Writer. A capture ends when stopped, when its duration or exchange limit
// is reached (a watcher thread stops it), or when the registry is destroyed
// (the server exits). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "recorder/exchange_sink.h"
#include "store/writer.h"

namespace trafficdb::mcp {

// What the registry needs of a running recorder, whatever its source.
struct RunningRecorder {
  std::function<Status()> stop;              // idempotent; the sink's failure, if any
  std::function<std::uint64_t()> stored;     // exchanges stored so far
  std::function<bool()> finished;            // hit its limit or failed: time to stop
  std::function<std::string()> summary;      // what to say when it stops
};

struct CaptureTotals {
  std::int64_t session_id = 0;
  std::string status;  // "stopped" or "stop_failed"
  std::uint64_t exchanges = 0;
  std::string error;
  std::string summary;
};

class CaptureRegistry {
 public:
  explicit CaptureRegistry(std::string db_path);
  ~CaptureRegistry();  // stops every capture still running

  // Opens a writer and a session, then `start` builds and starts the
  // recorder on the session's sink. On failure nothing is left behind.
  using Starter = std::function<Result<RunningRecorder>(ExchangeSink& sink)>;
  Result<std::int64_t> start(const std::string& name, std::string_view source, const std::string& source_uri,
                             const std::string& options_json, std::optional<std::chrono::milliseconds> duration,
                             std::uint64_t max_body_bytes, const Starter& start);

  // Stops a running capture. Fails when no capture with that session runs.
  Result<CaptureTotals> stop(std::int64_t session_id);

 private:
  struct Capture;
  void watch();
  CaptureTotals finish(Capture& capture);

  const std::string db_path_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::int64_t, std::unique_ptr<Capture>> running_;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace trafficdb::mcp
