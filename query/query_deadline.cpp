#include "query/query_deadline.h"

#include <sqlite3.h>

namespace trafficdb {

QueryDeadline::QueryDeadline(SQLite::Database& db, std::chrono::milliseconds limit, const std::atomic<bool>* cancel)
    : db_(db), deadline_(std::chrono::steady_clock::now() + limit), cancel_(cancel) {
  sqlite3_progress_handler(db_.getHandle(), 10000, &QueryDeadline::check, this);
}

QueryDeadline::~QueryDeadline() { sqlite3_progress_handler(db_.getHandle(), 0, nullptr, nullptr); }

int QueryDeadline::check(void* self) {
  auto* d = static_cast<QueryDeadline*>(self);
  if (d->cancel_ && d->cancel_->load()) {
    d->cancelled_ = true;
    return 1;
  }
  if (std::chrono::steady_clock::now() >= d->deadline_) {
    d->expired_ = true;
    return 1;
  }
  return 0;
}

}  // namespace trafficdb
