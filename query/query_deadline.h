// QueryDeadline: stops the statements a connection runs once a time limit
// has passed (or a cancel flag is set), through SQLite's progress handler.
// While it lives, a statement past the limit fails with SQLITE_INTERRUPT;
// expired() then tells the caller why, so it can say so plainly.
#pragma once

#include <atomic>
#include <chrono>

#include <SQLiteCpp/Database.h>

namespace trafficdb {

class QueryDeadline {
 public:
  QueryDeadline(SQLite::Database& db, std::chrono::milliseconds limit, const std::atomic<bool>* cancel = nullptr);
  ~QueryDeadline();  // removes the handler
  QueryDeadline(const QueryDeadline&) = delete;
  QueryDeadline& operator=(const QueryDeadline&) = delete;

  bool expired() const { return expired_; }
  bool cancelled() const { return cancelled_; }

 private:
  static int check(void* self);
  SQLite::Database& db_;
  const std::chrono::steady_clock::time_point deadline_;
  const std::atomic<bool>* cancel_;
  bool expired_ = false;
  bool cancelled_ = false;
};

}  // namespace trafficdb
