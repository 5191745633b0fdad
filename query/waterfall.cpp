#include "query/waterfall.h"

#include <SQLiteCpp/Statement.h>

#include "query/query_deadline.h"

namespace trafficdb {
namespace {

std::optional<Micros> optional_micros(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<Micros>(c.getInt64());
}

}  // namespace

Result<Waterfall> waterfall(SQLite::Database& db, const ExchangeFilter& filter, std::size_t limit,
                            std::chrono::milliseconds time_limit) {
  auto condition = filter_condition(filter);
  if (!condition.is_ok()) return condition.status();
  const std::size_t n = condition->params.size();
  QueryDeadline deadline(db, time_limit);
  try {
    SQLite::Statement st(db,
                         "SELECT e.id, e.started_at, e.request_sent_at, e.response_started_at, e.ended_at, e.method, "
                         "coalesce(e.host, ''), coalesce(e.path, ''), e.status, e.error IS NOT NULL, "
                         "coalesce(e.client_addr, ''), coalesce(e.server_addr, ''), coalesce(e.port, 0) "
                         "FROM exchanges e WHERE " + condition->sql +
                             " AND e.started_at IS NOT NULL ORDER BY e.started_at, e.id LIMIT ?" +
                             std::to_string(n + 1));
    for (std::size_t i = 0; i < n; ++i)
      std::visit([&](const auto& v) { st.bind(static_cast<int>(i + 1), v); }, condition->params[i]);
    st.bind(static_cast<int>(n + 1), static_cast<std::int64_t>(limit + 1));
    Waterfall result;
    while (st.executeStep()) {
      if (result.rows.size() == limit) {
        result.truncated = true;
        break;
      }
      WaterfallRow row;
      row.id = st.getColumn(0).getInt64();
      row.started_at = st.getColumn(1).getInt64();
      row.request_sent_at = optional_micros(st.getColumn(2));
      row.response_started_at = optional_micros(st.getColumn(3));
      row.ended_at = optional_micros(st.getColumn(4));
      row.method = st.getColumn(5).getString();
      row.host = st.getColumn(6).getString();
      row.path = st.getColumn(7).getString();
      if (!st.getColumn(8).isNull()) row.status = st.getColumn(8).getInt();
      row.failed = st.getColumn(9).getInt() != 0;
      const std::string client = st.getColumn(10).getString(), server = st.getColumn(11).getString();
      row.connection = !client.empty() ? client + " -> " + server
                                       : row.host + ":" + std::to_string(st.getColumn(12).getInt());
      result.rows.push_back(std::move(row));
    }
    return result;
  } catch (const SQLite::Exception& e) {
    if (deadline.expired())
      return Status::error("the waterfall took longer than " + std::to_string(time_limit.count()) +
                           " ms: narrow it (a session, a time range)");
    return Status::error(std::string("waterfall failed: ") + e.what());
  }
}

nlohmann::json waterfall_to_json(const Waterfall& waterfall) {
  nlohmann::json rows = nlohmann::json::array();
  for (const WaterfallRow& r : waterfall.rows) {
    nlohmann::json row = {{"id", r.id},         {"start_us", r.started_at}, {"method", r.method},
                          {"host", r.host},     {"path", r.path},           {"failed", r.failed},
                          {"connection", r.connection}};
    if (r.request_sent_at) row["sent_us"] = *r.request_sent_at;
    if (r.response_started_at) row["first_byte_us"] = *r.response_started_at;
    if (r.ended_at) row["end_us"] = *r.ended_at;
    if (r.status) row["status"] = *r.status;
    rows.push_back(std::move(row));
  }
  return {{"truncated", waterfall.truncated}, {"rows", std::move(rows)}};
}

}  // namespace trafficdb
