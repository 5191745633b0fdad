#include "query/traffic_stats.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <optional>
#include <cmath>
#include <unordered_map>

#include "query/query_deadline.h"

namespace trafficdb {
namespace {

const char* group_expression(StatsGroup g) {
  switch (g) {
    case StatsGroup::host: return "coalesce(e.host, '')";
    case StatsGroup::path: return "fold_path(e.path)";
    case StatsGroup::status: return "coalesce(CAST(e.status AS TEXT), 'no response')";
    case StatsGroup::method: return "e.method";
    case StatsGroup::content_type: return "coalesce(e.resp_content_type, '')";
    case StatsGroup::host_path: return "coalesce(e.host, '') || fold_path(e.path)";
    case StatsGroup::endpoint: return "e.method || ' ' || coalesce(e.path_template, '')";
  }
  return "''";
}

const char* group_name(StatsGroup g) {
  switch (g) {
    case StatsGroup::host: return "host";
    case StatsGroup::path: return "path";
    case StatsGroup::status: return "status";
    case StatsGroup::method: return "method";
    case StatsGroup::content_type: return "content_type";
    case StatsGroup::host_path: return "host_path";
    case StatsGroup::endpoint: return "endpoint";
  }
  return "";
}

// Nearest-rank percentile of `values` (non-empty), found by selection: the
// order of `values` changes.
double percentile(std::vector<float>& values, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(std::min(values.size() - 1, rank == 0 ? 0 : rank - 1));
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

struct Accumulator {
  StatsRow row;
  std::vector<float> durations;
};

// Looks keys up by string_view: no string made per row for a known group.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

Result<StatsGroup> parse_stats_group(std::string_view name) {
  for (const StatsGroup g : {StatsGroup::host, StatsGroup::path, StatsGroup::status, StatsGroup::method,
                             StatsGroup::content_type, StatsGroup::host_path, StatsGroup::endpoint}) {
    if (name == group_name(g)) return g;
  }
  return Status::error("cannot group by '" + std::string(name) +
                       "': use host, path, status, method, content_type, host_path or endpoint");
}

Result<StatsResult> traffic_stats(SQLite::Database& db, const ExchangeFilter& filter, StatsGroup group,
                                  std::size_t limit, const std::function<void(std::int64_t)>& progress,
                                  const std::atomic<bool>* cancel, const StatsBounds& bounds) {
  auto condition = filter_condition(filter);
  if (!condition.is_ok()) return condition.status();
  // One pass; groups and their durations are gathered here (memory: one
  // float per exchange in the result, plus one entry per group).
  const std::string sql = std::string("SELECT ") + group_expression(group) +
                          ", e.duration_ms, (e.error IS NOT NULL OR e.status >= 500), "
                          "(e.status BETWEEN 400 AND 499), coalesce(e.resp_body_size, 0) "
                          "FROM exchanges e WHERE " + condition->sql;
  try {
    SQLite::Statement st(db, sql);
    for (std::size_t i = 0; i < condition->params.size(); ++i)
      std::visit([&](const auto& v) { st.bind(static_cast<int>(i + 1), v); }, condition->params[i]);
    std::unordered_map<std::string, Accumulator, KeyHash, std::equal_to<>> groups;
    StatsResult result;
    result.time_limit = bounds.time_limit;
    // The limit holds inside a step too (a selective filter can scan long
    // between two rows): SQLite's progress handler interrupts the statement.
    std::optional<QueryDeadline> deadline;
    if (bounds.time_limit) deadline.emplace(db, *bounds.time_limit, cancel);
    for (;;) {
      try {
        if (!st.executeStep()) break;
      } catch (const SQLite::Exception&) {
        if (!deadline || !deadline->expired()) throw;
        result.partial = true;  // what was counted so far stands
        break;
      }
      ++result.total;
      if (result.total % 1024 == 0 && cancel && cancel->load()) return Status::error("statistics cancelled");
      if (progress && result.total % 50000 == 0) progress(result.total);
      const SQLite::Column key_column = st.getColumn(0);
      const std::string_view key(key_column.getText(), static_cast<std::size_t>(key_column.getBytes()));
      auto it = groups.find(key);
      if (it == groups.end()) {
        if (groups.size() >= bounds.max_groups) {
          result.groups_capped = true;
          it = groups.find(kOtherGroups);
          if (it == groups.end()) it = groups.emplace(std::string(kOtherGroups), Accumulator{}).first;
        } else {
          it = groups.emplace(std::string(key), Accumulator{}).first;
        }
      }
      Accumulator& a = it->second;
      ++a.row.count;
      if (const SQLite::Column duration = st.getColumn(1); !duration.isNull())
        a.durations.push_back(static_cast<float>(duration.getDouble()));
      a.row.errors += st.getColumn(2).getInt();
      a.row.client_errors += st.getColumn(3).getInt();
      a.row.response_bytes += st.getColumn(4).getInt64();
    }
    result.groups = groups.size();
    for (auto& [key, a] : groups) {
      a.row.key = key;
      a.row.error_rate = a.row.count ? static_cast<double>(a.row.errors) / static_cast<double>(a.row.count) : 0;
      if (!a.durations.empty()) {
        a.row.max_ms = *std::max_element(a.durations.begin(), a.durations.end());
        a.row.p50_ms = percentile(a.durations, 0.50);
        a.row.p95_ms = percentile(a.durations, 0.95);
      }
      result.rows.push_back(std::move(a.row));
    }
    std::sort(result.rows.begin(), result.rows.end(), [](const StatsRow& x, const StatsRow& y) {
      return x.count != y.count ? x.count > y.count : x.key < y.key;
    });
    if (result.rows.size() > limit) result.rows.resize(limit);
    return result;
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("statistics failed: ") + e.what());
  }
}

nlohmann::json stats_to_json(const StatsResult& result, StatsGroup group) {
  nlohmann::json rows = nlohmann::json::array();
  auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
  for (const StatsRow& r : result.rows) {
    nlohmann::json j = {{"key", r.key},
                        {"count", r.count},
                        {"errors", r.errors},
                        {"client_errors", r.client_errors},
                        {"error_rate", round3(r.error_rate)},
                        {"response_bytes", r.response_bytes}};
    j["p50_ms"] = r.p50_ms ? nlohmann::json(round3(*r.p50_ms)) : nlohmann::json(nullptr);
    j["p95_ms"] = r.p95_ms ? nlohmann::json(round3(*r.p95_ms)) : nlohmann::json(nullptr);
    j["max_ms"] = r.max_ms ? nlohmann::json(round3(*r.max_ms)) : nlohmann::json(nullptr);
    rows.push_back(std::move(j));
  }
  nlohmann::json out = {{"group_by", group_name(group)}, {"total", result.total}, {"groups", result.groups},
                        {"items", rows}, {"groups_capped", result.groups_capped}, {"partial", result.partial}};
  if (result.time_limit) out["time_limit_ms"] = result.time_limit->count();
  return out;
}

}  // namespace trafficdb
