#include "store/write_lock.h"

#include <sqlite3.h>

#include <thread>

namespace trafficdb {

bool is_busy(const SQLite::Exception& e) {
  const int code = e.getErrorCode() & 0xff;
  return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

void begin_immediate(SQLite::Database& db, std::chrono::steady_clock::time_point give_up,
                     const std::function<void()>& on_first_wait) {
  for (bool waited = false;; waited = true) {
    try {
      db.exec("BEGIN IMMEDIATE");
      return;
    } catch (const SQLite::Exception& e) {
      if (!is_busy(e) || std::chrono::steady_clock::now() >= give_up) throw;
      if (!waited && on_first_wait) on_first_wait();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace trafficdb
