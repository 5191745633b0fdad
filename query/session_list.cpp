#include "query/session_list.h"

#include <SQLiteCpp/Statement.h>

#include "store/recording_lease.h"

namespace trafficdb {
namespace {

std::optional<Micros> optional_micros(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

nlohmann::json time_json(const std::optional<Micros>& t) {
  return t ? nlohmann::json(format_iso8601(*t)) : nlohmann::json(nullptr);
}

}  // namespace

Result<std::vector<SessionInfo>> list_sessions(SQLite::Database& db, std::size_t limit, std::int64_t before_id) {
  try {
    SQLite::Statement st(db,
                         "SELECT id, name, source, coalesce(source_uri, ''), status, started_at, stopped_at, "
                         "exchange_count, error_count, first_exchange_at, last_exchange_at, coalesce(error, ''), "
                         "coalesce(integrity, ''), no_response_count, bodies_cut_count, pruned_count "
                         "FROM sessions WHERE (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2");
    st.bind(1, static_cast<std::int64_t>(before_id));
    st.bind(2, static_cast<std::int64_t>(limit));
    const std::string db_path = database_file_path(db);
    std::vector<SessionInfo> out;
    while (st.executeStep()) {
      SessionInfo s;
      s.id = st.getColumn(0).getInt64();
      s.name = st.getColumn(1).getString();
      s.source = st.getColumn(2).getString();
      s.source_uri = st.getColumn(3).getString();
      s.status = st.getColumn(4).getString();
      s.started_at = st.getColumn(5).getInt64();
      s.stopped_at = optional_micros(st.getColumn(6));
      s.exchange_count = st.getColumn(7).getInt64();
      s.error_count = st.getColumn(8).getInt64();
      s.first_exchange_at = optional_micros(st.getColumn(9));
      s.last_exchange_at = optional_micros(st.getColumn(10));
      s.error = st.getColumn(11).getString();
      s.source_integrity = st.getColumn(12).getString();
      s.no_response_count = st.getColumn(13).getInt64();
      s.bodies_cut_count = st.getColumn(14).getInt64();
      s.pruned_count = st.getColumn(15).getInt64();
      if (s.status == "recording" && !db_path.empty() && !recording_is_live(db_path, s.id)) {
        // Its process is gone; the next writer to open the database marks it so.
        s.status = "failed";
        s.error = kRecordingInterrupted;
      }
      out.push_back(std::move(s));
    }
    return out;
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("cannot list sessions: ") + e.what());
  }
}

nlohmann::json session_to_json(const SessionInfo& s) {
  return {
      {"id", s.id},
      {"name", s.name},
      {"source", s.source},
      {"source_uri", s.source_uri.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.source_uri)},
      {"status", s.status},
      {"started_at", format_iso8601(s.started_at)},
      {"stopped_at", time_json(s.stopped_at)},
      {"exchange_count", s.exchange_count},
      {"error_count", s.error_count},
      {"pruned_count", s.pruned_count},
      {"first_exchange_at", time_json(s.first_exchange_at)},
      {"last_exchange_at", time_json(s.last_exchange_at)},
      {"error", s.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.error)},
      {"integrity", session_integrity_json(s)},
  };
}

nlohmann::json session_integrity_json(const SessionInfo& s) {
  nlohmann::json out = nlohmann::json::object();
  if (!s.source_integrity.empty()) {
    nlohmann::json counts = nlohmann::json::parse(s.source_integrity, nullptr, false);
    if (counts.is_object()) out = std::move(counts);
  }
  out["source_counts"] = !s.source_integrity.empty();
  out["exchanges_without_response"] = s.no_response_count;
  out["bodies_cut"] = s.bodies_cut_count;
  return out;
}

}  // namespace trafficdb
