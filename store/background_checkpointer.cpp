#include "store/background_checkpointer.h"

#include "common/thread_name.h"
#include "store/database.h"

namespace trafficdb {

Result<std::unique_ptr<BackgroundCheckpointer>> BackgroundCheckpointer::start(const std::string& path) {
  auto db = open_database(path, OpenMode::read_write);
  if (!db.is_ok()) return db.status();
  return std::unique_ptr<BackgroundCheckpointer>(new BackgroundCheckpointer(std::move(db).value()));
}

BackgroundCheckpointer::BackgroundCheckpointer(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {
  thread_ = std::thread([this] {
    name_this_thread("tdb-checkpoint");
    run();
  });
}

BackgroundCheckpointer::~BackgroundCheckpointer() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundCheckpointer::committed() {
  {
    std::lock_guard lk(mu_);
    due_ = true;
  }
  cv_.notify_one();
}

void BackgroundCheckpointer::run() {
  std::unique_lock lk(mu_);
  while (true) {
    cv_.wait(lk, [&] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lk.unlock();
    try {
      db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const SQLite::Exception&) {
      // Busy or failed: the next commit asks again, and the last connection
      // to close checkpoints whatever is left.
    }
    lk.lock();
    cv_.wait_for(lk, kMinInterval, [&] { return stopping_; });
  }
}

}  // namespace trafficdb
