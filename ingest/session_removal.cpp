#include "ingest/session_removal.h"

#include <SQLiteCpp/Statement.h>

#include "store/recording_lease.h"
#include "store/sessions.h"

namespace trafficdb {

Status remove_session(SQLite::Database& db, std::int64_t session_id) {
  try {
    SQLite::Statement exists(db, "SELECT status FROM sessions WHERE id = ?");
    exists.bind(1, static_cast<std::int64_t>(session_id));
    if (!exists.executeStep()) return Status::not_found("no session with id " + std::to_string(session_id));
    const std::string db_path = database_file_path(db);
    if (exists.getColumn(0).getString() == session_status::recording && !db_path.empty() &&
        recording_is_live(db_path, session_id))
      return Status::busy("session " + std::to_string(session_id) +
                          " is being recorded by a running trafficdb; stop that recording first");
  } catch (const SQLite::Exception& e) {
    return Status::error("cannot look up session " + std::to_string(session_id) + ": " + e.what());
  }
  return delete_session(db, session_id);
}

}  // namespace trafficdb
