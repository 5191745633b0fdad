#include "query/traffic_timeline.h"

#include <SQLiteCpp/Statement.h>

#include <optional>

#include "query/query_deadline.h"

namespace trafficdb {
namespace {

// The smallest round width (1s, 2s, 5s, 10s, ... 1d, 2d, 7d, ...) that fits the span in `max_buckets`.
Micros bucket_width(Micros span, std::size_t max_buckets) {
  constexpr Micros kSecond = 1'000'000;
  static constexpr Micros kSteps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                                      21600, 43200, 86400, 172800, 604800};
  for (Micros step : kSteps)
    if (span / (step * kSecond) < static_cast<Micros>(max_buckets)) return step * kSecond;
  Micros width = 604800 * kSecond;
  while (span / width >= static_cast<Micros>(max_buckets)) width *= 2;
  return width;
}

}  // namespace

Result<Timeline> traffic_timeline(SQLite::Database& db, const ExchangeFilter& filter, std::size_t max_buckets,
                                  std::chrono::milliseconds time_limit) {
  if (max_buckets == 0) return Status::error("a timeline needs at least one bucket");
  auto condition = filter_condition(filter);
  if (!condition.is_ok()) return condition.status();
  const auto bind = [&](SQLite::Statement& st) {
    for (std::size_t i = 0; i < condition->params.size(); ++i)
      std::visit([&](const auto& v) { st.bind(static_cast<int>(i + 1), v); }, condition->params[i]);
  };
  Timeline timeline;
  QueryDeadline deadline(db, time_limit);
  try {
    SQLite::Statement range(db, "SELECT min(e.started_at), max(e.started_at) FROM exchanges e WHERE " +
                                    condition->sql + " AND e.started_at IS NOT NULL");
    bind(range);
    if (!range.executeStep() || range.getColumn(0).isNull()) return timeline;
    const Micros first = range.getColumn(0).getInt64();
    const Micros last = range.getColumn(1).getInt64();
    timeline.width = bucket_width(last - first, max_buckets);
    const Micros base = first - first % timeline.width;
    const std::size_t count = static_cast<std::size_t>((last - base) / timeline.width) + 1;
    timeline.buckets.resize(count);
    for (std::size_t i = 0; i < count; ++i) timeline.buckets[i].start = base + static_cast<Micros>(i) * timeline.width;

    const std::size_t n = condition->params.size();
    SQLite::Statement st(db, "SELECT (e.started_at - ?" + std::to_string(n + 1) + ") / ?" + std::to_string(n + 2) +
                                 " AS b, count(*), sum(e.error IS NOT NULL OR e.status >= 500), "
                                 "sum(e.status BETWEEN 400 AND 499) FROM exchanges e WHERE " +
                                 condition->sql + " AND e.started_at IS NOT NULL GROUP BY b");
    bind(st);
    st.bind(static_cast<int>(n + 1), base);
    st.bind(static_cast<int>(n + 2), timeline.width);
    for (;;) {
      try {
        if (!st.executeStep()) break;
      } catch (const SQLite::Exception&) {
        if (!deadline.expired()) throw;
        timeline.partial = true;
        break;
      }
      const std::int64_t index = st.getColumn(0).getInt64();
      if (index < 0 || static_cast<std::size_t>(index) >= count) continue;  // stored meanwhile, past `last`
      TimelineBucket& bucket = timeline.buckets[static_cast<std::size_t>(index)];
      bucket.count = st.getColumn(1).getInt64();
      bucket.errors = st.getColumn(2).getInt64();
      bucket.client_errors = st.getColumn(3).getInt64();
    }
    return timeline;
  } catch (const SQLite::Exception& e) {
    if (deadline.expired()) {
      timeline.partial = true;
      return timeline;
    }
    return Status::error(std::string("timeline failed: ") + e.what());
  }
}

nlohmann::json timeline_to_json(const Timeline& timeline) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const TimelineBucket& b : timeline.buckets)
    buckets.push_back({{"start", format_iso8601(b.start)},
                       {"count", b.count},
                       {"errors", b.errors},
                       {"client_errors", b.client_errors}});
  return {{"width_ms", timeline.width / 1000}, {"partial", timeline.partial}, {"buckets", std::move(buckets)}};
}

}  // namespace trafficdb
