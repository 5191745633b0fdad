#include "mcp/capture_registry.h"

#include <vector>

namespace trafficdb::mcp {

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
  std::map<std::int64_t, std::unique_ptr<LiveRecording>> left;
  {
    std::lock_guard lk(mu_);
    left.swap(running_);
  }
  for (auto& [id, recording] : left) (void)recording->stop();
}

Result<std::int64_t> CaptureRegistry::start(LiveRecordingOptions options) {
  options.db_path = db_path_;
  auto recording = LiveRecording::start(std::move(options));
  if (!recording.is_ok()) return recording.status();
  const std::int64_t id = (*recording)->session_id();
  {
    std::lock_guard lk(mu_);
    running_[id] = std::move(recording).value();
  }
  cv_.notify_all();
  return id;
}

Result<RecordingEnd> CaptureRegistry::stop(std::int64_t session_id) {
  std::unique_ptr<LiveRecording> recording;
  {
    std::lock_guard lk(mu_);
    auto it = running_.find(session_id);
    if (it == running_.end())
      return Status::not_found("no capture is running with session_id " + std::to_string(session_id));
    recording = std::move(it->second);
    running_.erase(it);
  }
  RecordingEnd end = recording->stop();
  if (!end.ended.is_ok()) {
    std::lock_guard lk(mu_);
    running_[session_id] = std::move(recording);
  }
  return end;
}

void CaptureRegistry::watch() {
  std::unique_lock lk(mu_);
  while (!stopping_) {
    cv_.wait_for(lk, std::chrono::milliseconds(200));
    std::vector<std::unique_ptr<LiveRecording>> due;
    for (auto it = running_.begin(); it != running_.end();) {
      if (it->second->due()) {
        due.push_back(std::move(it->second));
        it = running_.erase(it);
      } else {
        ++it;
      }
    }
    lk.unlock();
    for (auto& recording : due) (void)recording->stop();
    lk.lock();
  }
}

}  // namespace trafficdb::mcp
