#include "query/traffic_stats.h"

#include <sqlite3.h>

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
    case StatsGroup::path: return "coalesce(e.path_template, '')";
    case StatsGroup::status: return "coalesce(CAST(e.status AS TEXT), 'no response')";
    case StatsGroup::method: return "e.method";
    case StatsGroup::content_type: return "coalesce(e.resp_content_type, '')";
    case StatsGroup::host_path: return "coalesce(e.host, '') || coalesce(e.path_template, '')";
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

// The scan reads a million rows through SQLite's C API: SQLiteCpp's Column
// costs a shared_ptr copy per value, a tenth of the scan's time.
class RawStatement {
 public:
  RawStatement(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
      error_ = sqlite3_errmsg(db);
  }
  ~RawStatement() { sqlite3_finalize(stmt_); }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  const std::string& error() const { return error_; }

  void bind(const std::vector<SqlParam>& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i + 1);
      if (const auto* n = std::get_if<std::int64_t>(&params[i])) sqlite3_bind_int64(stmt_, at, *n);
      else if (const auto* d = std::get_if<double>(&params[i])) sqlite3_bind_double(stmt_, at, *d);
      else {
        const std::string& t = std::get<std::string>(params[i]);
        sqlite3_bind_text(stmt_, at, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
      }
    }
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  std::string error_;
};

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
  RawStatement st(db.getHandle(), sql);
  if (!st.error().empty()) return Status::error("statistics failed: " + st.error());
  st.bind(condition->params);
  sqlite3_stmt* row = st.get();
  std::unordered_map<std::string, Accumulator, KeyHash, std::equal_to<>> groups;
  StatsResult result;
  result.time_limit = bounds.time_limit;
  // The limit holds inside a step too (a selective filter can scan long
  // between two rows): SQLite's progress handler interrupts the statement.
  std::optional<QueryDeadline> deadline;
  if (bounds.time_limit) deadline.emplace(db, *bounds.time_limit, cancel);
  for (;;) {
    const int rc = sqlite3_step(row);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      if (!deadline || !deadline->expired())
        return Status::error(std::string("statistics failed: ") + sqlite3_errmsg(db.getHandle()));
      result.partial = true;  // what was counted so far stands
      break;
    }
    ++result.total;
    if (result.total % 1024 == 0 && cancel && cancel->load()) return Status::error("statistics cancelled");
    if (progress && result.total % 50000 == 0) progress(result.total);
    const auto* key_text = reinterpret_cast<const char*>(sqlite3_column_text(row, 0));
    const std::string_view key(key_text ? key_text : "", static_cast<std::size_t>(sqlite3_column_bytes(row, 0)));
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
    if (sqlite3_column_type(row, 1) != SQLITE_NULL)
      a.durations.push_back(static_cast<float>(sqlite3_column_double(row, 1)));
    a.row.errors += sqlite3_column_int(row, 2);
    a.row.client_errors += sqlite3_column_int(row, 3);
    a.row.response_bytes += sqlite3_column_int64(row, 4);
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
