#include "store/sessions.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <vector>

#include "common/timestamp.h"
#include "store/pruning.h"
#include "store/recording_lease.h"

namespace trafficdb {

Result<std::int64_t> insert_session(SQLite::Database& db, const NewSession& session) {
  try {
    SQLite::Statement st(db,
                         "INSERT INTO sessions(id, name, source, source_uri, status, started_at, options) "
                         "VALUES(max(coalesce((SELECT max(id) FROM sessions), 0), "
                         "           coalesce((SELECT deleted_session_id_max FROM retention WHERE id = 1), 0)) + 1, "
                         "       ?, ?, ?, ?, ?, ?)");
    st.bind(1, session.name);
    st.bind(2, std::string(session.source));
    if (session.source_uri.empty()) st.bind(3); else st.bind(3, session.source_uri);
    st.bind(4, std::string(session.status));
    st.bind(5, static_cast<std::int64_t>(now_micros()));
    if (session.options_json.empty()) st.bind(6); else st.bind(6, session.options_json);
    st.exec();
    return static_cast<std::int64_t>(db.getLastInsertRowid());
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("cannot create session: ") + e.what());
  }
}

Status finish_session(SQLite::Database& db, std::int64_t id, std::string_view status,
                      const std::optional<std::string>& error) {
  try {
    SQLite::Statement st(db, "UPDATE sessions SET status = ?, stopped_at = ?, error = ? WHERE id = ?");
    st.bind(1, std::string(status));
    st.bind(2, static_cast<std::int64_t>(now_micros()));
    if (error) st.bind(3, *error); else st.bind(3);
    st.bind(4, static_cast<std::int64_t>(id));
    if (st.exec() != 1) return Status::not_found("no session " + std::to_string(id));
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return Status::error("cannot update session " + std::to_string(id) + ": " + e.what());
  }
}

Status set_session_integrity(SQLite::Database& db, std::int64_t id, const std::string& integrity_json) {
  try {
    SQLite::Statement st(db, "UPDATE sessions SET integrity = ? WHERE id = ?");
    st.bind(1, integrity_json);
    st.bind(2, static_cast<std::int64_t>(id));
    if (st.exec() != 1) return Status::not_found("no session " + std::to_string(id));
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return Status::error("cannot update session " + std::to_string(id) + ": " + e.what());
  }
}

Status delete_session(SQLite::Database& db, std::int64_t id) {
  try {
    SQLite::Statement exists(db, "SELECT 1 FROM sessions WHERE id = ?");
    exists.bind(1, static_cast<std::int64_t>(id));
    if (!exists.executeStep()) return Status::not_found("no session " + std::to_string(id));
  } catch (const SQLite::Exception& e) {
    return Status::error("cannot delete session " + std::to_string(id) + ": " + e.what());
  }
  // Its exchanges go in small steps (with the bodies only they used and
  // their search-index rows), so a large session never holds the lock long.
  PruneOptions options;
  options.vacuum = false;
  if (auto pruned = prune(db, PruneSelection::of_session(id), options); !pruned.is_ok())
    return pruned.status().prefixed("cannot delete session " + std::to_string(id) + ": ");
  try {
    SQLite::Statement st(db, "DELETE FROM sessions WHERE id = ?");
    st.bind(1, static_cast<std::int64_t>(id));
    if (st.exec() != 1) return Status::not_found("no session " + std::to_string(id));
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return Status::error("cannot delete session " + std::to_string(id) + ": " + e.what());
  }
}

Result<std::optional<std::int64_t>> last_exchange_id(SQLite::Database& db, std::int64_t session_id) {
  try {
    SQLite::Statement st(db, "SELECT max(id) FROM exchanges WHERE session_id = ?");
    st.bind(1, static_cast<std::int64_t>(session_id));
    st.executeStep();
    if (st.getColumn(0).isNull()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(st.getColumn(0).getInt64());
  } catch (const SQLite::Exception& e) {
    return Status::error("cannot read the exchanges of session " + std::to_string(session_id) + ": " + e.what());
  }
}

Result<int> finish_interrupted_sessions(SQLite::Database& db) {
  const std::string db_path = database_file_path(db);
  if (db_path.empty()) return 0;  // in memory: no other process
  try {
    std::vector<std::int64_t> orphans;
    SQLite::Statement select(db, "SELECT id FROM sessions WHERE status = 'recording'");
    while (select.executeStep())
      if (const std::int64_t id = select.getColumn(0).getInt64(); !recording_is_live(db_path, id)) orphans.push_back(id);
    select.reset();
    if (orphans.empty()) return 0;
    // Checked again inside an IMMEDIATE transaction: a recorder finishing its
    // session meanwhile waits for it, and keeps its lease until its own
    // update commits, so a row still 'recording' here without a lease is an orphan.
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    int marked = 0;
    for (std::int64_t id : orphans) {
      if (recording_is_live(db_path, id)) continue;
      SQLite::Statement update(db,
                               "UPDATE sessions SET status = 'failed', stopped_at = ?, error = ? "
                               "WHERE id = ? AND status = 'recording'");
      update.bind(1, static_cast<std::int64_t>(now_micros()));
      update.bind(2, kRecordingInterrupted);
      update.bind(3, static_cast<std::int64_t>(id));
      marked += update.exec();
    }
    transaction.commit();
    return marked;
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("cannot mark interrupted sessions: ") + e.what());
  }
}

}  // namespace trafficdb
