#include "query/exchange_page.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>

#include "query/query_deadline.h"
#include "query/text_search.h"
#include "query/redaction.h"

namespace trafficdb {
namespace {

constexpr const char* kSummaryColumns =
    "e.id, e.session_id, e.started_at, e.method, e.host, e.path, e.query, e.status, e.duration_ms, "
    "e.req_body_size, e.resp_body_size, e.req_content_type, e.resp_content_type, e.error";

// How long a filtered page walks the ids in order before it asks an index (find_exchanges).
constexpr std::chrono::milliseconds kIdWalkBudget{50};

void bind_all(SQLite::Statement& st, const std::vector<SqlParam>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    std::visit([&](const auto& v) { st.bind(index, v); }, params[i]);
  }
}

// How SQLite would run `sql` on table `e`: through an index (a SEARCH)
// rather than a whole scan, and whether it then sorts the matches itself.
struct PlanShape {
  bool searches_index = false;
  bool sorts = false;
};

PlanShape plan_shape(SQLite::Database& db, const std::string& sql, const std::vector<SqlParam>& params) {
  SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + sql);
  bind_all(plan, params);
  PlanShape shape;
  while (plan.executeStep()) {
    const std::string detail = plan.getColumn(3).getString();
    if (detail.rfind("SEARCH e ", 0) == 0) shape.searches_index = true;
    if (detail.find("TEMP B-TREE FOR ORDER BY") != std::string::npos) shape.sorts = true;
  }
  return shape;
}

template <typename T>
std::optional<T> optional_column(const SQLite::Column& c);
template <>
std::optional<std::int64_t> optional_column(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<std::int64_t>(c.getInt64());
}
template <>
std::optional<double> optional_column(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<double>(c.getDouble());
}

ExchangeSummary read_summary(SQLite::Statement& st) {
  ExchangeSummary s;
  s.id = st.getColumn(0).getInt64();
  s.session_id = st.getColumn(1).getInt64();
  s.started_at = optional_column<std::int64_t>(st.getColumn(2));
  s.method = st.getColumn(3).getString();
  s.host = st.getColumn(4).getString();
  s.path = st.getColumn(5).getString();
  if (!st.getColumn(6).isNull()) s.query = st.getColumn(6).getString();
  if (!st.getColumn(7).isNull()) s.status = st.getColumn(7).getInt();
  s.duration_ms = optional_column<double>(st.getColumn(8));
  s.req_body_size = optional_column<std::int64_t>(st.getColumn(9));
  s.resp_body_size = optional_column<std::int64_t>(st.getColumn(10));
  s.req_content_type = st.getColumn(11).getString();
  s.resp_content_type = st.getColumn(12).getString();
  s.error = st.getColumn(13).getString();
  return s;
}

}  // namespace

// True when urls_fts covers every exchange, so a URL search can read the
// index in id order and stop after one page.
bool url_index_complete(SQLite::Database& db) {
  return db.execAndGet("SELECT (SELECT position FROM search_state WHERE name = 'urls_fts') >= "
                       "(SELECT coalesce(max(id), 0) FROM exchanges)")
             .getInt() != 0;
}

namespace {

// Pages and capped counts stop after a few matches when SQLite walks the rows
// in order: worth it for a body search whose word is in many bodies.
Result<ConditionPlan> condition_plan(SQLite::Database& db, const ExchangeFilter& filter) {
  ConditionPlan plan;
  if (filter.body_contains.empty()) return plan;
  auto by_row = body_search_by_row(db, filter.body_contains);
  if (!by_row.is_ok()) return by_row.status();
  plan.body_search_by_row = *by_row;
  return plan;
}

}  // namespace

Result<ExchangePage> find_exchanges(SQLite::Database& db, const PageRequest& request) {
  // A URL substring search with a complete index reads urls_fts first, in
  // id order, so a common term costs one page rather than all its matches.
  ExchangeFilter filter = request.filter;
  std::string url_phrase;
  try {
    if (!filter.url_contains.empty() && trigram_indexable(filter.url_contains) && url_index_complete(db)) {
      url_phrase = fts5_phrase(filter.url_contains);
      filter.url_contains.clear();
    }
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("query failed: ") + e.what());
  }
  auto plan = condition_plan(db, filter);
  if (!plan.is_ok()) return plan.status();
  auto condition = filter_condition(filter, *plan);
  if (!condition.is_ok()) return condition.status();
  const bool descending = request.newest_first || (request.before_id && !request.after_id);
  std::vector<SqlParam> params = condition->params;
  const char* id = url_phrase.empty() ? "e.id" : "f.rowid";
  std::string where;
  if (!url_phrase.empty()) {
    params.emplace_back(url_phrase);
    where = " WHERE urls_fts MATCH ?" + std::to_string(params.size()) + " AND " + condition->sql;
  } else {
    where = " WHERE " + condition->sql;
  }
  if (request.after_id) {
    params.emplace_back(*request.after_id);
    where += std::string(" AND ") + id + " > ?" + std::to_string(params.size());
  }
  if (request.before_id) {
    params.emplace_back(*request.before_id);
    where += std::string(" AND ") + id + " < ?" + std::to_string(params.size());
  }
  params.emplace_back(static_cast<std::int64_t>(request.limit + 1));
  const std::string limit = " LIMIT ?" + std::to_string(params.size());
  const std::string direction = descending ? " DESC" : "";
  const std::string select = std::string("SELECT ") + kSummaryColumns;

  // Two plans for a filtered page. Walking the ids in order and testing each
  // row finds a page of common matches at once, but reads every row when
  // matches are rare; an index on the filtered column (status, started_at,
  // host...) then sorting its matches by id is fast when they are rare and
  // slow when they are many. SQLite cannot know which without statistics:
  // the walk is tried first for a short while, then the index plan
  // (ORDER BY +id lets the planner pick an index for the WHERE).
  struct Plan {
    std::string sql;
    std::chrono::milliseconds budget;
  };
  std::vector<Plan> plans;
  if (!url_phrase.empty()) {
    plans.push_back({select + " FROM urls_fts f JOIN exchanges e ON e.id = f.rowid" + where + " ORDER BY " + id +
                         direction + limit,
                     request.time_limit});
  } else if (filter.empty()) {
    plans.push_back({select + " FROM exchanges e" + where + " ORDER BY e.id" + direction + limit, request.time_limit});
  } else {
    const std::string planned = select + " FROM exchanges e" + where + " ORDER BY e.id" + direction + limit;
    const std::string walk = select + " FROM exchanges e NOT INDEXED" + where + " ORDER BY e.id" + direction + limit;
    const std::string indexed = select + " FROM exchanges e" + where + " ORDER BY +e.id" + direction + limit;
    PlanShape own, by_index;
    try {
      own = plan_shape(db, planned, params);
      by_index = plan_shape(db, indexed, params);
    } catch (const SQLite::Exception& e) {
      return Status::error(std::string("query failed: ") + e.what());
    }
    if (own.searches_index && !own.sorts) {
      plans.push_back({planned, request.time_limit});  // an index gives matches in id order (a session's)
    } else if (!filter.body_contains.empty() && !plan->body_search_by_row && trigram_indexable(filter.body_contains)) {
      plans.push_back({planned, request.time_limit});  // few bodies match: look their exchanges up
    } else if (by_index.searches_index) {
      const auto walk_budget = std::min(kIdWalkBudget, request.time_limit);
      plans.push_back({walk, walk_budget});
      plans.push_back({indexed, request.time_limit - walk_budget});
    } else {
      plans.push_back({walk, request.time_limit});  // no index would help: the walk, all the way
    }
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const bool last = i + 1 == plans.size();
    QueryDeadline deadline(db, plans[i].budget, request.cancel);
    try {
      SQLite::Statement st(db, plans[i].sql);
      bind_all(st, params);
      ExchangePage page;
      while (st.executeStep()) {
        if (page.items.size() == request.limit) {
          page.has_more = true;
          break;
        }
        page.items.push_back(read_summary(st));
      }
      if (!page.items.empty()) page.next_cursor = page.items.back().id;
      else if (!descending) page.next_cursor = request.after_id.value_or(0);
      if (descending && !page.has_more) page.next_cursor.reset();
      return page;
    } catch (const SQLite::Exception& e) {
      if (deadline.cancelled()) return Status::cancelled("query cancelled");
      if (deadline.expired() && !last) continue;  // the next plan, with the time left
      if (deadline.expired())
        return Status::cancelled("query stopped after " + std::to_string(request.time_limit.count() / 1000) +
                                 " s: no index serves this filter well; narrow it (a session, a time range, a host)");
      return Status::error(std::string("query failed: ") + e.what());
    }
  }
  return Status::error("query failed: no plan");  // not reached: the last plan returns
}

Result<std::int64_t> count_exchanges(SQLite::Database& db, const ExchangeFilter& filter, std::int64_t cap,
                                     bool* capped) {
  auto plan = condition_plan(db, filter);
  if (!plan.is_ok()) return plan.status();
  auto condition = filter_condition(filter, *plan);
  if (!condition.is_ok()) return condition.status();
  std::vector<SqlParam> params = condition->params;
  params.emplace_back(cap + 1);
  try {
    SQLite::Statement st(db, "SELECT count(*) FROM (SELECT 1 FROM exchanges e WHERE " + condition->sql + " LIMIT ?" +
                                 std::to_string(params.size()) + ")");
    bind_all(st, params);
    st.executeStep();
    std::int64_t n = st.getColumn(0).getInt64();
    if (capped) *capped = n > cap;
    return std::min(n, cap);
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("count failed: ") + e.what());
  }
}

nlohmann::json summary_to_json(const ExchangeSummary& s, bool redact_query) {
  nlohmann::json j = {{"id", s.id}, {"session_id", s.session_id}, {"method", s.method}, {"host", s.host},
                      {"path", s.path}};
  if (s.started_at) j["started_at"] = format_iso8601(*s.started_at);
  if (s.query) j["query"] = redact_query ? redact_query_string(*s.query) : *s.query;
  j["status"] = s.status ? nlohmann::json(*s.status) : nlohmann::json(nullptr);
  if (s.duration_ms) j["duration_ms"] = std::round(*s.duration_ms * 1000) / 1000;
  if (s.req_body_size && *s.req_body_size) j["req_body_size"] = *s.req_body_size;
  if (s.resp_body_size) j["resp_body_size"] = *s.resp_body_size;
  if (!s.req_content_type.empty()) j["req_content_type"] = s.req_content_type;
  if (!s.resp_content_type.empty()) j["resp_content_type"] = s.resp_content_type;
  if (!s.error.empty()) j["error"] = s.error;
  return j;
}

}  // namespace trafficdb
