// The queries query_bench times; see query_cases.h.

#include "query_cases.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>
#include <string_view>

#include <SQLiteCpp/Statement.h>

#include "bench_report.h"
#include "check_status.h"
#include "query/exchange_detail.h"
#include "query/exchange_filter.h"
#include "query/exchange_page.h"
#include "query/traffic_stats.h"
#include "query_vocabulary.h"

namespace bench::query_cases {

using trafficdb::Micros;
using query_workload::kMissingWords;
using query_workload::kRareWordCount;
using query_workload::kRareWords;
using query_workload::kResources;
using query_workload::kRespTypes;

namespace {

bool is_id_segment(std::string_view s) {
  if (s.size() >= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return true;
  return s.size() == 36 && s[8] == '-' && s[13] == '-';
}

}  // namespace

DataInfo read_data_info(SQLite::Database& db, std::mt19937_64& rng) {
  DataInfo d;
  {
    SQLite::Statement st(db, "SELECT count(*), min(id), max(id), min(started_at), max(started_at) FROM exchanges");
    st.executeStep();
    d.rows = st.getColumn(0).getInt64();
    d.min_id = st.getColumn(1).getInt64();
    d.max_id = st.getColumn(2).getInt64();
    d.first_started = st.getColumn(3).getInt64();
    d.last_started = st.getColumn(4).getInt64();
  }
  if (d.rows == 0) throw std::runtime_error("the database has no exchanges");
  {
    SQLite::Statement st(db, "SELECT DISTINCT host FROM exchanges WHERE host IS NOT NULL ORDER BY host");
    while (st.executeStep()) d.hosts.push_back(st.getColumn(0).getString());
  }
  std::map<std::string, int> domains;
  for (const std::string& h : d.hosts) {
    const std::size_t last = h.rfind('.');
    const std::size_t prev = last == std::string::npos || last == 0 ? std::string::npos : h.rfind('.', last - 1);
    ++domains[prev == std::string::npos ? h : h.substr(prev + 1)];
  }
  for (const auto& [domain, n] : domains) d.domains.push_back(domain);
  {
    SQLite::Statement st(db, "SELECT id FROM sessions ORDER BY id");
    while (st.executeStep()) d.sessions.push_back(st.getColumn(0).getInt64());
  }
  {
    SQLite::Statement st(db, "SELECT path FROM exchanges WHERE id >= ? ORDER BY id LIMIT 1");
    for (int attempt = 0; attempt < 5000 && d.url_ids.size() < 500; ++attempt) {
      st.reset();
      st.bind(1, static_cast<std::int64_t>(d.min_id + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(d.max_id - d.min_id + 1))));
      if (!st.executeStep() || st.getColumn(0).isNull()) continue;
      const std::string path = st.getColumn(0).getString();
      std::string found;
      std::size_t start = 0;
      while (start < path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        const std::string_view seg(path.data() + start, slash - start);
        if (is_id_segment(seg)) found = std::string(seg);
        start = slash + 1;
      }
      if (!found.empty()) d.url_ids.push_back(found);
    }
  }
  if (d.url_ids.empty()) d.url_ids.push_back("12345");
  return d;
}

namespace {

template <typename T>
T pick_from(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[rng() % v.size()];
}

std::int64_t uniform(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
}

}  // namespace

std::vector<QueryDef> define_queries(SQLite::Database& db, const DataInfo& d, bool newest) {
  std::vector<QueryDef> q;
  // find_exchanges, limit 50, with the filter `f` builds.
  auto page = [&db, newest](std::function<void(trafficdb::ExchangeFilter&, std::mt19937_64&)> f) {
    return [&db, newest, f](std::mt19937_64& rng) -> Call {
      trafficdb::PageRequest rq;
      rq.limit = 50;
      rq.newest_first = newest;
      f(rq.filter, rng);
      return [&db, rq] {
        return static_cast<std::int64_t>(check(trafficdb::find_exchanges(db, rq), "find_exchanges").items.size());
      };
    };
  };
  auto status = [](const char* spec) { return check(trafficdb::parse_status_spec(spec), "parse_status_spec"); };
  auto host = [](const std::string& text) { return check(trafficdb::parse_host_pattern(text), "parse_host_pattern"); };
  const double filter_target = kFilterTargetMs;

  q.push_back({"host_exact", "host exact (random host)", filter_target,
               page([&d, host](auto& f, auto& rng) { f.hosts = {host(pick_from(rng, d.hosts))}; })});
  q.push_back({"host_suffix", "host *.domain (random domain)", filter_target,
               page([&d, host](auto& f, auto& rng) { f.hosts = {host("*." + pick_from(rng, d.domains))}; })});
  q.push_back({"method_post", "method POST", filter_target,
               page([](auto& f, auto&) { f.methods = {"POST"}; })});
  q.push_back({"status_5xx", "status 5xx", filter_target,
               page([status](auto& f, auto&) { f.statuses = status("5xx"); })});
  q.push_back({"status_404", "status 404", filter_target,
               page([status](auto& f, auto&) { f.statuses = status("404"); })});
  q.push_back({"session", "session id (random session)", filter_target,
               page([&d](auto& f, auto& rng) { f.session_ids = {pick_from(rng, d.sessions)}; })});
  q.push_back({"time_range", "time: 10 min window, last 30 min", filter_target, page([&d](auto& f, auto& rng) {
                 const Micros end = d.last_started + 1 - uniform(rng, 0, 30LL * 60 * 1000000);
                 f.since = end - 10LL * 60 * 1000000;
                 f.until = end;
               })});
  q.push_back({"host_status", "host exact + status (200/404/500)", filter_target,
               page([&d, host, status](auto& f, auto& rng) {
                 static const char* const codes[] = {"200", "404", "500"};
                 f.hosts = {host(pick_from(rng, d.hosts))};
                 f.statuses = status(codes[rng() % 3]);
               })});
  q.push_back({"path_prefix", "path prefix /api/vN/resource", filter_target, page([](auto& f, auto& rng) {
                 f.path_prefix = std::string(rng() % 3 ? "/api/v1/" : "/api/v2/") + kResources[rng() % std::size(kResources)];
               })});
  q.push_back({"has_error", "has error", filter_target, page([](auto& f, auto&) { f.has_error = true; })});
  q.push_back({"min_duration", "min duration 1-5 s", filter_target, page([](auto& f, auto& rng) {
                 f.min_duration_ms = static_cast<double>(uniform(rng, 1000, 5000));
               })});
  q.push_back({"resp_type", "resp content type (random type)", filter_target, page([](auto& f, auto& rng) {
                 f.resp_content_type = kRespTypes[rng() % std::size(kRespTypes)];
               })});
  q.push_back({"url_contains_id", "url contains an id (indexed)", filter_target,
               page([&d](auto& f, auto& rng) { f.url_contains = pick_from(rng, d.url_ids); })});
  q.push_back({"url_contains_word", "url contains a resource (indexed)", filter_target, page([](auto& f, auto& rng) {
                 f.url_contains = kResources[rng() % std::size(kResources)];
               })});
  q.push_back({"url_regex", "url regex (random pattern)", filter_target, page([](auto& f, auto& rng) {
                 static const char* const patterns[] = {
                     R"(/api/v[12]/orders/\d+$)", R"(/users/[0-9a-f]{8}-[0-9a-f-]{27}/)", R"(\.png\?v=)",
                     R"(/products/\d{7}$)",       R"(cursor=[0-9a-f]{24})",                 R"(/invoices/\d+/history)"};
                 f.url_regex = patterns[rng() % std::size(patterns)];
               })});

  // Cursor pages without a filter, deep into the table.
  q.push_back({"page_after_deep", "page after_id ~90% (oldest first)", filter_target, [&db, &d](auto& rng) -> Call {
                 trafficdb::PageRequest rq;
                 const std::int64_t span = d.max_id - d.min_id;
                 rq.after_id = d.min_id + span * 9 / 10 + uniform(rng, -span / 100, span / 100);
                 return [&db, rq] {
                   return static_cast<std::int64_t>(check(trafficdb::find_exchanges(db, rq), "find_exchanges").items.size());
                 };
               }});
  q.push_back({"page_before_deep", "page before_id ~10% (newest first)", filter_target, [&db, &d](auto& rng) -> Call {
                 trafficdb::PageRequest rq;
                 const std::int64_t span = d.max_id - d.min_id;
                 rq.before_id = d.min_id + span / 10 + uniform(rng, -span / 100, span / 100);
                 rq.newest_first = true;
                 return [&db, rq] {
                   return static_cast<std::int64_t>(check(trafficdb::find_exchanges(db, rq), "find_exchanges").items.size());
                 };
               }});

  q.push_back({"detail", "detail by id (exchange_detail_json)", kDetailTargetMs, [&db, &d](auto& rng) -> Call {
                 const std::int64_t id = uniform(rng, d.min_id, d.max_id);
                 return [&db, id] {
                   const auto j = check(trafficdb::exchange_detail_json(db, id, trafficdb::DetailOptions{}), "detail");
                   return static_cast<std::int64_t>(j ? 1 : 0);
                 };
               }});

  auto stats = [&db](trafficdb::StatsGroup g, bool one_host, const DataInfo& info) {
    return [&db, g, one_host, &info](std::mt19937_64& rng) -> Call {
      trafficdb::ExchangeFilter f;
      if (one_host) f.hosts = {check(trafficdb::parse_host_pattern(pick_from(rng, info.hosts)), "host")};
      return [&db, g, f] {
        return static_cast<std::int64_t>(check(trafficdb::traffic_stats(db, f, g, 50), "traffic_stats").groups);
      };
    };
  };
  q.push_back({"stats_host_all", "stats by host, all rows", std::nullopt, stats(trafficdb::StatsGroup::host, false, d)});
  q.push_back({"stats_path_all", "stats by path, all rows", std::nullopt, stats(trafficdb::StatsGroup::path, false, d)});
  q.push_back({"stats_host_one", "stats by host, one host", std::nullopt, stats(trafficdb::StatsGroup::host, true, d)});
  q.push_back({"stats_path_one", "stats by path, one host", std::nullopt, stats(trafficdb::StatsGroup::path, true, d)});

  q.push_back({"body_hit", "body contains a rare word (~0.1%)", kBodySearchTargetMs, page([](auto& f, auto& rng) {
                 f.body_contains = kRareWords[rng() % kRareWordCount];
               })});
  q.push_back({"body_common", "body contains a common word", kBodySearchTargetMs, page([](auto& f, auto& rng) {
                 f.body_contains = bench::query_workload::kWords[rng() % bench::query_workload::kWordCount];
               })});
  q.push_back({"body_miss", "body contains a missing word", kBodySearchTargetMs, page([](auto& f, auto& rng) {
                 f.body_contains = kMissingWords[rng() % std::size(kMissingWords)];
               })});

  q.push_back({"count_status", "count: status 4xx or 5xx (cap 100k)", std::nullopt, [&db](auto& rng) -> Call {
                 trafficdb::ExchangeFilter f;
                 f.statuses = check(trafficdb::parse_status_spec(rng() % 2 ? "4xx" : "5xx"), "status");
                 return [&db, f] {
                   bool capped = false;
                   return check(trafficdb::count_exchanges(db, f, kCountCap, &capped), "count_exchanges");
                 };
               }});
  return q;
}

QueryResult measure(const QueryDef& def, std::uint64_t seed, const RunCounts& o) {
  std::mt19937_64 rng(seed);
  auto time_one = [&](std::int64_t* rows) {
    const Call call = def.make(rng);  // parameters drawn outside the timer
    const auto t0 = Clock::now();
    const std::int64_t n = call();
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (rows) *rows = n;
    return ms;
  };
  // Warm-up (untimed): three runs; their median decides fast or slow.
  std::vector<double> warm;
  for (int i = 0; i < 3; ++i) warm.push_back(time_one(nullptr));
  std::sort(warm.begin(), warm.end());
  const std::size_t runs = static_cast<std::size_t>(warm[1] > o.slow_ms ? o.slow_runs : o.runs);

  QueryResult r{def.name, def.label, def.target_ms};
  std::vector<double> ms;
  ms.reserve(runs);
  double rows = 0;
  for (std::size_t i = 0; i < runs; ++i) {
    std::int64_t n = 0;
    ms.push_back(time_one(&n));
    rows += static_cast<double>(n);
  }
  std::sort(ms.begin(), ms.end());
  r.runs = runs;
  r.p50 = percentile(ms, 0.50);
  r.p99 = percentile(ms, 0.99);
  r.max = ms.back();
  r.avg_rows = rows / static_cast<double>(runs);
  return r;
}

}  // namespace bench::query_cases
