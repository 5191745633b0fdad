#include "store/retention_policy.h"

#include <SQLiteCpp/Statement.h>

namespace trafficdb {
namespace {

std::int64_t pragma_int64(SQLite::Database& db, const char* pragma) {
  return db.execAndGet(std::string("PRAGMA ") + pragma).getInt64();
}

template <typename T>
std::optional<T> optional_column(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  if constexpr (std::is_same_v<T, double>) return c.getDouble();
  else return static_cast<T>(c.getInt64());
}

}  // namespace

Result<DatabaseSize> database_size(SQLite::Database& db) {
  try {
    DatabaseSize size;
    size.page_size = pragma_int64(db, "page_size");
    const std::int64_t pages = pragma_int64(db, "page_count");
    const std::int64_t free_pages = pragma_int64(db, "freelist_count");
    size.file_bytes = pages * size.page_size;
    size.free_bytes = free_pages * size.page_size;
    size.used_bytes = size.file_bytes - size.free_bytes;
    size.incremental_vacuum = pragma_int64(db, "auto_vacuum") == 2;
    return size;
  } catch (const SQLite::Exception& e) {
    return Status::io_error(std::string("cannot read the database's size: ") + e.what());
  }
}

Result<RetentionPolicy> read_retention_policy(SQLite::Database& db) {
  auto state = read_retention(db);
  if (!state.is_ok()) return state.status();
  return state->policy;
}

Result<RetentionState> read_retention(SQLite::Database& db) {
  RetentionState state;
  try {
    SQLite::Statement st(db,
                         "SELECT max_age_us, max_size_bytes, policy_set_at, pruned_exchanges, pruned_bodies, "
                         "pruned_websocket_messages, pruned_body_bytes, bytes_given_back, last_pruned_at, "
                         "last_prune_longest_step_ms FROM retention WHERE id = 1");
    if (st.executeStep()) {
      state.policy.max_age_us = optional_column<std::int64_t>(st.getColumn(0));
      state.policy.max_size_bytes = optional_column<std::uint64_t>(st.getColumn(1));
      state.policy_set_at = optional_column<Micros>(st.getColumn(2));
      state.pruned.exchanges = st.getColumn(3).getInt64();
      state.pruned.bodies = st.getColumn(4).getInt64();
      state.pruned.websocket_messages = st.getColumn(5).getInt64();
      state.pruned.body_bytes = st.getColumn(6).getInt64();
      state.pruned.bytes_given_back = st.getColumn(7).getInt64();
      state.pruned.last_pruned_at = optional_column<Micros>(st.getColumn(8));
      state.pruned.last_longest_step_ms = optional_column<double>(st.getColumn(9));
    }
  } catch (const SQLite::Exception& e) {
    return Status::io_error(std::string("cannot read the retention policy: ") + e.what());
  }
  auto size = database_size(db);
  if (!size.is_ok()) return size.status();
  state.size = *size;
  return state;
}

Status set_retention_policy(SQLite::Database& db, const RetentionPolicy& policy) {
  if (policy.max_age_us && *policy.max_age_us <= 0) return Status::invalid_input("the maximum age must be positive");
  if (policy.max_size_bytes && *policy.max_size_bytes == 0)
    return Status::invalid_input("the maximum size must be positive");
  try {
    SQLite::Statement st(db,
                         "INSERT INTO retention(id, max_age_us, max_size_bytes, policy_set_at) VALUES(1, ?1, ?2, ?3) "
                         "ON CONFLICT(id) DO UPDATE SET max_age_us = ?1, max_size_bytes = ?2, policy_set_at = ?3");
    if (policy.max_age_us) st.bind(1, static_cast<std::int64_t>(*policy.max_age_us));
    if (policy.max_size_bytes) st.bind(2, static_cast<std::int64_t>(*policy.max_size_bytes));
    st.bind(3, static_cast<std::int64_t>(now_micros()));
    st.exec();
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return Status::io_error(std::string("cannot set the retention policy: ") + e.what());
  }
}

}  // namespace trafficdb
