// Removing a session and its exchanges: what MCP's delete_session and
// `trafficdb delete` do once any recording of theirs into it is stopped.
#pragma once

#include <cstdint>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

// Deletes session `session_id` of `db` (a read-write connection, not in a
// transaction) with its exchanges, their WebSocket messages and search-index
// rows, and the bodies no other exchange uses, in small steps
// (store/sessions.h delete_session). Status::not_found when there is no such
// session; Status::busy when a process (this one included) is still
// recording into it: stop that recording first.
Status remove_session(SQLite::Database& db, std::int64_t session_id);

}  // namespace trafficdb
