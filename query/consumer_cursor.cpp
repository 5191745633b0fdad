#include "query/consumer_cursor.h"

#include <SQLiteCpp/Statement.h>

#include <thread>

namespace trafficdb {

Result<std::int64_t> consumer_position(SQLite::Database& db, const std::string& consumer, std::int64_t session_id) {
  try {
    SQLite::Statement st(db, "SELECT position FROM cursors WHERE consumer = ? AND session_id = ?");
    st.bind(1, consumer);
    st.bind(2, static_cast<std::int64_t>(session_id));
    return st.executeStep() ? st.getColumn(0).getInt64() : std::int64_t{0};
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("cannot read cursor: ") + e.what());
  }
}

Result<ExchangePage> read_for_consumer(SQLite::Database& db, const std::string& consumer, std::int64_t session_id,
                                       const ExchangeFilter& filter, std::size_t limit) {
  if (consumer.empty() || consumer.size() > 200) return Status::invalid_input("a consumer name is 1 to 200 characters");
  try {
    db.exec("BEGIN IMMEDIATE");  // one reader of a consumer at a time
    try {
      auto position = consumer_position(db, consumer, session_id);
      if (!position.is_ok()) throw SQLite::Exception(position.status().message());
      PageRequest request;
      request.filter = filter;
      if (session_id != 0) request.filter.session_ids = {session_id};
      request.after_id = *position;
      request.limit = limit;
      auto page = find_exchanges(db, request);
      if (!page.is_ok()) throw SQLite::Exception(page.status().message());
      // With a filter, rows in between that do not match are passed over
      // too: the cursor moves to the last id examined, not only returned.
      std::int64_t new_position = page->next_cursor.value_or(*position);
      if (!page->has_more && !filter.empty()) {
        const auto max_id = db.execAndGet("SELECT coalesce(max(id), 0) FROM exchanges").getInt64();
        new_position = std::max(new_position, max_id);
      }
      SQLite::Statement update(db,
                               "INSERT INTO cursors(consumer, session_id, position, updated_at) VALUES(?, ?, ?, "
                               "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) "
                               "ON CONFLICT(consumer, session_id) DO UPDATE SET position = excluded.position, "
                               "updated_at = excluded.updated_at");
      update.bind(1, consumer);
      update.bind(2, static_cast<std::int64_t>(session_id));
      update.bind(3, new_position);
      update.exec();
      db.exec("COMMIT");
      page->next_cursor = new_position;
      return page;
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("read for consumer '") + consumer + "' failed: " + e.what());
  }
}

}  // namespace trafficdb
