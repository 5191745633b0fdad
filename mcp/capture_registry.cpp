#include "mcp/capture_registry.h"

#include <vector>

namespace trafficdb::mcp {

struct CaptureRegistry::Capture {
  std::int64_t session_id = 0;
  std::unique_ptr<Writer> writer;
  std::unique_ptr<ExchangeSink> sink;
  RunningRecorder recorder;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

CaptureRegistry::CaptureRegistry(std::string db_path) : db_path_(std::move(db_path)) {
  watcher_ = std::thread([this] { watch(); });
}

CaptureRegistry::~CaptureRegistry() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  std::map<std::int64_t, std::unique_ptr<Capture>> left;
  {
    std::lock_guard lk(mu_);
    left.swap(running_);
  }
  for (auto& [id, capture] : left) (void)finish(*capture);
}

Result<std::int64_t> CaptureRegistry::start(const std::string& name, std::string_view source,
                                            const std::string& source_uri, const std::string& options_json,
                                            std::optional<std::chrono::milliseconds> duration,
                                            std::uint64_t max_body_bytes, const Starter& start) {
  auto capture = std::make_unique<Capture>();
  WriterOptions options;
  options.max_body_bytes = max_body_bytes;
  auto writer = Writer::open(db_path_, options);
  if (!writer.is_ok()) return writer.status();
  capture->writer = std::move(writer).value();
  auto session =
      capture->writer->create_session({name, source, source_uri, session_status::recording, options_json});
  if (!session.is_ok()) return session.status();
  capture->session_id = *session;
  capture->sink = capture->writer->sink(*session);
  auto recorder = start(*capture->sink);
  if (!recorder.is_ok()) {
    (void)capture->writer->delete_session(*session);
    return recorder.status();
  }
  capture->recorder = std::move(recorder).value();
  if (duration) capture->deadline = std::chrono::steady_clock::now() + *duration;
  {
    std::lock_guard lk(mu_);
    running_[*session] = std::move(capture);
  }
  cv_.notify_all();
  return *session;
}

Result<CaptureTotals> CaptureRegistry::stop(std::int64_t session_id) {
  std::unique_ptr<Capture> capture;
  {
    std::lock_guard lk(mu_);
    auto it = running_.find(session_id);
    if (it == running_.end()) return Status::error("no capture is running with session_id " + std::to_string(session_id));
    capture = std::move(it->second);
    running_.erase(it);
  }
  CaptureTotals totals = finish(*capture);
  if (totals.status == "stop_failed") {
    // Still running and still stoppable: keep it registered.
    std::lock_guard lk(mu_);
    running_[session_id] = std::move(capture);
  }
  return totals;
}

CaptureTotals CaptureRegistry::finish(Capture& c) {
  CaptureTotals totals;
  totals.session_id = c.session_id;
  const Status stopped = c.recorder.stop();
  totals.exchanges = c.recorder.stored();
  totals.summary = c.recorder.summary();
  const Status flushed = c.writer->flush();
  const Status failure = !stopped.is_ok() ? stopped : flushed;
  const Status ended =
      c.writer->finish_session(c.session_id, failure.is_ok() ? session_status::stopped : session_status::failed,
                               failure.is_ok() ? std::nullopt : std::optional<std::string>(failure.message()));
  if (ended.is_ok()) (void)c.writer->close();  // else kept open, so a later stop can retry
  totals.status = ended.is_ok() ? "stopped" : "stop_failed";
  totals.error = !failure.is_ok() ? failure.message() : ended.is_ok() ? "" : ended.message();
  return totals;
}

void CaptureRegistry::watch() {
  std::unique_lock lk(mu_);
  while (!stopping_) {
    cv_.wait_for(lk, std::chrono::milliseconds(200));
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Capture>> due;
    for (auto it = running_.begin(); it != running_.end();) {
      Capture& c = *it->second;
      if ((c.deadline && now >= *c.deadline) || c.recorder.finished()) {
        due.push_back(std::move(it->second));
        it = running_.erase(it);
      } else {
        ++it;
      }
    }
    lk.unlock();
    for (auto& c : due) (void)finish(*c);
    lk.lock();
  }
}

}  // namespace trafficdb::mcp
