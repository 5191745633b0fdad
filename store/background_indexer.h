// BackgroundIndexer: brings the full-text search indexes (store/search_index.h)
// up to date by itself, on its own connection and thread, for as long as a
// long-lived process (the MCP server) runs — so searches get fast after a
// large import without anyone running `trafficdb index`.
//
// It indexes in small batches, then merges the segments they added
// (SegmentMerger), each its own short write transaction, and
// rests between them at least as long as the batch took: a recorder or an
// import writing to the same file waits for about one batch at most, and
// the rest leaves it the lock (SQLite's busy handler promises no order). Once caught up it looks for new rows every
// kIdleInterval. A batch that fails (the file is locked for longer than the
// busy timeout, the disk is full) is tried again later; searches stay
// correct meanwhile (they scan what is not indexed), only slower.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "store/search_index_merge.h"

namespace trafficdb {

class BackgroundIndexer {
 public:
  static constexpr std::size_t kBatchRows = 500;
  static constexpr std::chrono::milliseconds kIdleInterval{1000};

  static Result<std::unique_ptr<BackgroundIndexer>> start(const std::string& path);
  ~BackgroundIndexer();  // stops after the batch in progress
  BackgroundIndexer(const BackgroundIndexer&) = delete;
  BackgroundIndexer& operator=(const BackgroundIndexer&) = delete;

  std::uint64_t batches() const { return batches_.load(); }
  std::string last_error() const;

 private:
  explicit BackgroundIndexer(std::unique_ptr<SQLite::Database> db);
  void run();

  std::unique_ptr<SQLite::Database> db_;
  SegmentMerger merger_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::string last_error_;
  std::atomic<std::uint64_t> batches_{0};
  std::thread thread_;
};

}  // namespace trafficdb
