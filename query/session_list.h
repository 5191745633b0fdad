// The sessions table as the CLI and MCP show it: newest first. A session
// whose row says 'recording' but whose recording process is gone (see
// store/recording_lease.h) is shown as 'failed' with kRecordingInterrupted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/timestamp.h"

namespace trafficdb {

struct SessionInfo {
  std::int64_t id = 0;
  std::string name;
  std::string source;
  std::string source_uri;
  std::string status;
  Micros started_at = 0;
  std::optional<Micros> stopped_at;
  std::int64_t exchange_count = 0;
  std::int64_t error_count = 0;
  std::optional<Micros> first_exchange_at;
  std::optional<Micros> last_exchange_at;
  std::string error;
  // Capture integrity: the source's counts (sessions.integrity, a JSON
  // object; "" for sessions recorded before trafficdb kept them) and the
  // writer's.
  std::string source_integrity;
  std::int64_t no_response_count = 0;
  std::int64_t bodies_cut_count = 0;
  std::int64_t pruned_count = 0;  // exchanges removed by retention or prune (exchange_count: those left)
};

// Newest first; at most `limit` sessions with id below `before_id` (0 = no bound).
Result<std::vector<SessionInfo>> list_sessions(SQLite::Database& db, std::size_t limit = 1000,
                                               std::int64_t before_id = 0);

// Times as ISO-8601 strings, absent values as null; "integrity" as
// session_integrity_json().
nlohmann::json session_to_json(const SessionInfo& session);

// What the capture saw and missed, zeros included: the source's counts
// (packets, kernel_dropped, tcp_gap_bytes, connections_skipped,
// tls_not_decrypted_by_server, reconnects, ...; docs/schema.md) plus
// exchanges_without_response and bodies_cut; "source_counts": false when
// the session predates them.
nlohmann::json session_integrity_json(const SessionInfo& session);

}  // namespace trafficdb
