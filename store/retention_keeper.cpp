#include "store/retention_keeper.h"

#include <algorithm>
#include <optional>

#include "common/thread_name.h"
#include "store/database.h"
#include "store/retention_policy.h"

namespace trafficdb {

Result<std::unique_ptr<RetentionKeeper>> RetentionKeeper::start(const std::string& path,
                                                                std::chrono::milliseconds interval,
                                                                std::chrono::milliseconds first_delay,
                                                                RoundObserver on_round) {
  auto db = open_database(path, OpenMode::read_write);
  if (!db.is_ok()) return db.status();
  return std::unique_ptr<RetentionKeeper>(
      new RetentionKeeper(std::move(db).value(), interval, first_delay, std::move(on_round)));
}

RetentionKeeper::RetentionKeeper(std::unique_ptr<SQLite::Database> db, std::chrono::milliseconds interval,
                                 std::chrono::milliseconds first_delay, RoundObserver on_round)
    : db_(std::move(db)), interval_(interval), first_delay_(first_delay), on_round_(std::move(on_round)) {
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

namespace {

// Free pages a keeper's vacuum leaves in the file for the recorder to fill
// again: a quarter of a size limit, at most 64 MiB.
std::int64_t free_bytes_kept(const RetentionPolicy& policy) {
  constexpr std::int64_t kMost = 64 << 20;
  if (!policy.max_size_bytes) return kMost;
  return std::min<std::int64_t>(kMost, static_cast<std::int64_t>(*policy.max_size_bytes / 4));
}

bool over_size(SQLite::Database& db, const RetentionPolicy& policy) {
  if (!policy.max_size_bytes) return false;
  auto size = database_size(db);
  return size.is_ok() && static_cast<std::uint64_t>(size->used_bytes) > *policy.max_size_bytes;
}

}  // namespace

void RetentionKeeper::run() {
  using clock = std::chrono::steady_clock;
  std::unique_lock lk(mu_);
  cv_.wait_for(lk, first_delay_, [&] { return stopping_.load(); });
  auto next_round = clock::now();
  while (!stopping_) {
    lk.unlock();
    auto policy = read_retention_policy(*db_);
    // A round at each interval; between them, one as soon as a size limit is passed.
    const bool due = clock::now() >= next_round || (policy.is_ok() && over_size(*db_, *policy));
    std::optional<Result<PruneReport>> report;
    if (due && policy.is_ok() && !policy->empty()) {
      PruneOptions options;
      options.stop = &stopping_;
      options.keep_free_bytes = free_bytes_kept(*policy);
      report.emplace(apply_retention(*db_, *policy, options));
      if (on_round_) on_round_(*report);
    }
    lk.lock();
    if (due) next_round = clock::now() + interval_;
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
    cv_.wait_for(lk, std::min(interval_, kSizeCheckInterval), [&] { return stopping_.load(); });
  }
}

}  // namespace trafficdb
