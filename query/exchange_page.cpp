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
// Before walking, an index that finds at most this many rows within the
// probe's time is used at once: sorting their ids costs less than a walk.
constexpr std::int64_t kIndexProbeRows = 20000;
constexpr std::chrono::milliseconds kIndexProbeBudget{10};

// Binds `params` in order; those past the statement's placeholders are left out.
void bind_all(SQLite::Statement& st, const std::vector<SqlParam>& params) {
  const auto count = std::min(params.size(), static_cast<std::size_t>(st.getBindParameterCount()));
  for (std::size_t i = 0; i < count; ++i) {
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

// Whether `where` matches fewer than kIndexProbeRows rows, counted through
// the index SQLite picks for it within kIndexProbeBudget (false past it).
bool few_index_matches(SQLite::Database& db, const std::string& where, const std::vector<SqlParam>& params,
                       const std::atomic<bool>* cancel) {
  QueryDeadline deadline(db, kIndexProbeBudget, cancel);
  try {
    SQLite::Statement probe(db, "SELECT count(*) FROM (SELECT 1 FROM exchanges e" + where + " LIMIT " +
                                    std::to_string(kIndexProbeRows) + ")");
    bind_all(probe, params);
    probe.executeStep();
    return probe.getColumn(0).getInt64() < kIndexProbeRows;
  } catch (const SQLite::Exception&) {
    return false;  // past the budget: many rows, or an index that does not help
  }
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

// The plan for a filter's body search (query/text_search.h). Counts never
// read bodies row by row: a capped count of a common word would read a
// large share of them.
Result<ConditionPlan> condition_plan(SQLite::Database& db, const ExchangeFilter& filter, bool for_page) {
  ConditionPlan plan;
  if (filter.body_contains.empty()) return plan;
  auto body = plan_body_search(db, filter.body_contains);
  if (!body.is_ok()) return body.status();
  plan.body_search = *body;
  if (!for_page && plan.body_search == BodySearchPlan::walk_bodies) plan.body_search = BodySearchPlan::walk_index;
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
  auto plan = condition_plan(db, filter, true);
  if (!plan.is_ok()) return plan.status();
  const bool descending = request.newest_first || (request.before_id && !request.after_id);
  const char* id = url_phrase.empty() ? "e.id" : "f.rowid";
  const std::string direction = descending ? " DESC" : "";
  const std::string select = std::string("SELECT ") + kSummaryColumns;

  // The WHERE and LIMIT of the page for a condition plan, with their parameters.
  struct Clauses {
    std::string where, limit;
    std::vector<SqlParam> params;
  };
  auto clauses_for = [&](const ConditionPlan& condition_plan) -> Result<Clauses> {
    auto condition = filter_condition(filter, condition_plan);
    if (!condition.is_ok()) return condition.status();
    Clauses c;
    c.params = condition->params;
    if (!url_phrase.empty()) {
      c.params.emplace_back(url_phrase);
      c.where = " WHERE urls_fts MATCH ?" + std::to_string(c.params.size()) + " AND " + condition->sql;
    } else {
      c.where = " WHERE " + condition->sql;
    }
    if (request.after_id) {
      c.params.emplace_back(*request.after_id);
      c.where += std::string(" AND ") + id + " > ?" + std::to_string(c.params.size());
    }
    if (request.before_id) {
      c.params.emplace_back(*request.before_id);
      c.where += std::string(" AND ") + id + " < ?" + std::to_string(c.params.size());
    }
    c.params.emplace_back(static_cast<std::int64_t>(request.limit + 1));
    c.limit = " LIMIT ?" + std::to_string(c.params.size());
    return c;
  };

  // The statements tried in turn, each for at most its budget. Walking the
  // ids in order and testing each row finds a page of common matches at
  // once, but reads every row when matches are rare; an index on the
  // filtered column (status, started_at, host...) then sorting its matches
  // by id is fast when they are rare and slow when they are many. SQLite
  // cannot know which without statistics: the walk is tried first for a
  // short while, then the index plan (ORDER BY +id lets the planner pick an
  // index for the WHERE).
  struct Plan {
    std::string sql;
    std::vector<SqlParam> params;
    std::chrono::milliseconds budget;
  };
  std::vector<Plan> plans;
  std::chrono::milliseconds time_left = request.time_limit;
  ConditionPlan rest = *plan;
  if (plan->body_search == BodySearchPlan::walk_bodies && url_phrase.empty()) {
    // A word in a large share of bodies: reading the walked rows' bodies
    // finds a page at once, unless another condition is selective; then
    // the index's matches as a set, as for a less common word.
    auto c = clauses_for(*plan);
    if (!c.is_ok()) return c.status();
    const auto budget = std::min(kIdWalkBudget, time_left);
    plans.push_back({select + " FROM exchanges e NOT INDEXED" + c->where + " ORDER BY e.id" + direction + c->limit,
                     c->params, budget});
    time_left -= budget;
  }
  if (rest.body_search == BodySearchPlan::walk_bodies) rest.body_search = BodySearchPlan::walk_index;
  auto c = clauses_for(rest);
  if (!c.is_ok()) return c.status();
  const std::string& where = c->where;
  const std::string& limit = c->limit;
  const std::vector<SqlParam>& params = c->params;
  if (!url_phrase.empty()) {
    plans.push_back({select + " FROM urls_fts f JOIN exchanges e ON e.id = f.rowid" + where + " ORDER BY " + id +
                         direction + limit,
                     params, time_left});
  } else if (filter.empty()) {
    plans.push_back({select + " FROM exchanges e" + where + " ORDER BY e.id" + direction + limit, params, time_left});
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
      plans.push_back({planned, params, time_left});  // an index gives matches in id order (a session's)
    } else if (!filter.body_contains.empty() && rest.body_search == BodySearchPlan::lookup &&
               trigram_indexable(filter.body_contains)) {
      plans.push_back({planned, params, time_left});  // few bodies match: look their exchanges up
    } else if (by_index.searches_index) {
      // The index's matches are sorted by id alone, and only the page's
      // rows are read: a row read per match (a host with 30,000 4xx) was
      // most of the plan's time.
      const std::string indexed_ids = "SELECT e.id FROM exchanges e" + where + " ORDER BY +e.id" + direction + limit;
      const std::string indexed_rows =
          select + " FROM exchanges e WHERE e.id IN (" + indexed_ids + ") ORDER BY e.id" + direction;
      if (few_index_matches(db, where, params, request.cancel)) {
        plans.push_back({indexed_rows, params, time_left});
      } else {
        const auto walk_budget = std::min(kIdWalkBudget, time_left);
        plans.push_back({walk, params, walk_budget});
        plans.push_back({indexed_rows, params, time_left - walk_budget});
      }
    } else {
      plans.push_back({walk, params, time_left});  // no index would help: the walk, all the way
    }
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const bool last = i + 1 == plans.size();
    QueryDeadline deadline(db, plans[i].budget, request.cancel);
    try {
      SQLite::Statement st(db, plans[i].sql);
      bind_all(st, plans[i].params);
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
  auto plan = condition_plan(db, filter, false);
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
