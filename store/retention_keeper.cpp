#include "store/retention_keeper.h"

#include "common/thread_name.h"
#include "store/database.h"
#include "store/retention_policy.h"

namespace trafficdb {

Result<std::unique_ptr<RetentionKeeper>> RetentionKeeper::start(const std::string& path,
                                                                std::chrono::milliseconds interval,
                                                                std::chrono::milliseconds first_delay) {
  auto db = open_database(path, OpenMode::read_write);
  if (!db.is_ok()) return db.status();
  return std::unique_ptr<RetentionKeeper>(new RetentionKeeper(std::move(db).value(), interval, first_delay));
}

RetentionKeeper::RetentionKeeper(std::unique_ptr<SQLite::Database> db, std::chrono::milliseconds interval,
                                 std::chrono::milliseconds first_delay)
    : db_(std::move(db)), interval_(interval), first_delay_(first_delay) {
  thread_ = std::thread([this] {
    name_this_thread("tdb-retention");
    run();
  });
}

RetentionKeeper::~RetentionKeeper() { stop(); }

void RetentionKeeper::stop() {
  std::lock_guard stopping(stop_mu_);
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RetentionRounds RetentionKeeper::rounds() const {
  std::lock_guard lk(mu_);
  return rounds_;
}

void RetentionKeeper::run() {
  std::unique_lock lk(mu_);
  cv_.wait_for(lk, first_delay_, [&] { return stopping_.load(); });
  while (!stopping_) {
    lk.unlock();
    PruneOptions options;
    options.stop = &stopping_;
    auto policy = read_retention_policy(*db_);
    std::optional<Result<PruneReport>> report;
    if (policy.is_ok() && !policy->empty()) report.emplace(apply_retention(*db_, *policy, options));
    lk.lock();
    if (!policy.is_ok()) {
      rounds_.last_error = policy.status().message();
    } else if (report) {
      ++rounds_.rounds;
      if (report->is_ok()) {
        rounds_.removed.add(**report);
        rounds_.last_error.clear();
      } else {
        rounds_.last_error = report->status().message();
      }
    }
    cv_.wait_for(lk, interval_, [&] { return stopping_.load(); });
  }
}

}  // namespace trafficdb
