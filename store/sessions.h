// Session rows: one per capture or import. The Writer calls these on its own
// connection; they are plain functions over a connection so tests and tools
// can use them too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

// The values of sessions.source and sessions.status.
namespace session_source {
inline constexpr std::string_view pcap = "pcap", pcap_live = "pcap-live", har = "har", charles = "charles",
                                  charles_live = "charles-live", httptoolkit = "httptoolkit", replay = "replay";
}
namespace session_status {
inline constexpr std::string_view recording = "recording", stopped = "stopped", failed = "failed",
                                  imported = "imported";
}

struct NewSession {
  std::string name;
  std::string_view source;  // a session_source value
  std::string source_uri;
  std::string_view status;  // a session_status value
  std::string options_json; // "" for none
};

// Its id is above every session's, deleted ones included (ids never come back).
Result<std::int64_t> insert_session(SQLite::Database& db, const NewSession& session);

// Sets status, stopped_at (now) and error (nullopt leaves it NULL).
Status finish_session(SQLite::Database& db, std::int64_t id, std::string_view status,
                      const std::optional<std::string>& error);

// Replaces the session's capture integrity (sessions.integrity) with
// `integrity_json`, a JSON object (model/source_count.h says what is in it).
Status set_session_integrity(SQLite::Database& db, std::int64_t id, const std::string& integrity_json);

// Marks each session left 'recording' by a process that is gone (no one
// holds its RecordingLease) as failed, with kRecordingInterrupted as its
// error and now as stopped_at. Returns how many it marked.
Result<int> finish_interrupted_sessions(SQLite::Database& db);

// Deletes the session: its exchanges in small steps with what only they
// used (store/pruning.h: bodies no other exchange shares, WebSocket messages,
// search-index rows), then its row. Its id is never given to a new session.
// not_found when there is no such session. Not inside a transaction.
Status delete_session(SQLite::Database& db, std::int64_t id);

// The id of the session's newest exchange; nullopt when it has none.
Result<std::optional<std::int64_t>> last_exchange_id(SQLite::Database& db, std::int64_t session_id);

}  // namespace trafficdb
