#include "store/background_indexer.h"

#include "common/thread_name.h"
#include "store/database.h"
#include "store/search_index.h"

namespace trafficdb {

Result<std::unique_ptr<BackgroundIndexer>> BackgroundIndexer::start(const std::string& path) {
  auto db = open_database(path, OpenMode::read_write);
  if (!db.is_ok()) return db.status();
  return std::unique_ptr<BackgroundIndexer>(new BackgroundIndexer(std::move(db).value()));
}

BackgroundIndexer::BackgroundIndexer(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)), merger_(*db_) {
  thread_ = std::thread([this] {
    name_this_thread("tdb-indexer");
    run();
  });
}

BackgroundIndexer::~BackgroundIndexer() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string BackgroundIndexer::last_error() const {
  std::lock_guard lk(mu_);
  return last_error_;
}

void BackgroundIndexer::run() {
  std::unique_lock lk(mu_);
  while (!stopping_) {
    lk.unlock();
    const auto started = std::chrono::steady_clock::now();
    bool remaining = false;
    Status s;
    auto merge_step = [&] {
      try {
        return merger_.step();
      } catch (const SQLite::Exception& e) {
        s = Status::error(std::string("search index merge failed: ") + e.what());
        return false;
      }
    };
    // Once the rows are in, the segments they added are merged, a step per
    // turn; merging goes first while a level holds many (search_index_merge.h).
    if (merger_.pressed() && merge_step()) {
      remaining = true;
    } else if (s.is_ok()) {
      s = index_search_batch(*db_, kBatchRows, remaining);
      if (s.is_ok() && !remaining) remaining = merge_step();
    }
    const auto took = std::chrono::steady_clock::now() - started;
    lk.lock();
    if (!s.is_ok()) {
      last_error_ = s.message();
      remaining = false;  // try again after the idle interval
    } else {
      last_error_.clear();
      ++batches_;
    }
    // Rest at least as long as the batch took, so other writers get the lock.
    const auto rest = remaining ? std::max<std::chrono::steady_clock::duration>(took, std::chrono::milliseconds(5))
                                : std::chrono::steady_clock::duration(kIdleInterval);
    cv_.wait_for(lk, rest, [&] { return stopping_; });
  }
}

}  // namespace trafficdb
