// BackgroundCheckpointer: copies the write-ahead log into the database file
// on its own connection and thread, so the writer never waits for a
// checkpoint's disk syncs.
//
// SQLite's automatic checkpoint runs inside the commit that crosses the
// threshold, on the writer's thread. With this, the writer turns that off
// and calls committed() after each commit; a PASSIVE checkpoint (which never
// blocks the writer or readers) then runs here, at most every kMinInterval.
// Once the whole log is copied, the writer's next transaction starts the log
// over, so it stays about one batch long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

class BackgroundCheckpointer {
 public:
  static constexpr std::chrono::milliseconds kMinInterval{250};

  static Result<std::unique_ptr<BackgroundCheckpointer>> start(const std::string& path);
  ~BackgroundCheckpointer();  // stops after the checkpoint in progress
  BackgroundCheckpointer(const BackgroundCheckpointer&) = delete;
  BackgroundCheckpointer& operator=(const BackgroundCheckpointer&) = delete;

  void committed();

 private:
  explicit BackgroundCheckpointer(std::unique_ptr<SQLite::Database> db);
  void run();

  std::unique_ptr<SQLite::Database> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace trafficdb
