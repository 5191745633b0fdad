#include "query/session_diff.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <SQLiteCpp/Statement.h>


namespace trafficdb {
namespace {

using json = nlohmann::json;

struct Call {
  std::int64_t id = 0;
  std::string endpoint;
  std::optional<int> status;
};

struct EndpointStats {
  std::size_t count = 0;
  std::map<std::string, std::size_t> status;  // "2xx", ..., "none"
  std::vector<double> durations;
};

struct SessionCalls {
  std::vector<Call> calls;
  std::map<std::string, EndpointStats> endpoints;
  bool truncated = false;
};

std::string status_class(const std::optional<int>& status) {
  if (!status) return "none";
  return std::to_string(*status / 100) + "xx";
}

Result<SessionCalls> read_session(SQLite::Database& db, std::int64_t session, std::size_t max_exchanges) {
  try {
    SQLite::Statement exists(db, "SELECT 1 FROM sessions WHERE id = ?");
    exists.bind(1, static_cast<std::int64_t>(session));
    if (!exists.executeStep()) return Status::not_found("no session " + std::to_string(session));
    SQLite::Statement st(db,
                         "SELECT id, method, coalesce(path_template, ''), status, duration_ms FROM exchanges WHERE session_id = ? "
                         "ORDER BY id LIMIT ?");
    st.bind(1, static_cast<std::int64_t>(session));
    st.bind(2, static_cast<std::int64_t>(max_exchanges + 1));
    SessionCalls out;
    while (st.executeStep()) {
      if (out.calls.size() == max_exchanges) {
        out.truncated = true;
        break;
      }
      Call c;
      c.id = st.getColumn(0).getInt64();
      c.endpoint = st.getColumn(1).getString() + " " + st.getColumn(2).getString();
      if (!st.getColumn(3).isNull()) c.status = st.getColumn(3).getInt();
      EndpointStats& e = out.endpoints[c.endpoint];
      ++e.count;
      ++e.status[status_class(c.status)];
      if (!st.getColumn(4).isNull()) e.durations.push_back(st.getColumn(4).getDouble());
      out.calls.push_back(std::move(c));
    }
    return out;
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("cannot read session ") + std::to_string(session) + ": " + e.what());
  }
}

// Nearest-rank percentile of `v` (sorted in place); null when empty.
json percentile(std::vector<double>& v, double p) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  const std::size_t rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return std::round(v[std::max<std::size_t>(rank, 1) - 1] * 1000.0) / 1000.0;
}

json side_json(EndpointStats& e) {
  std::size_t errors = 0;
  for (const auto& [cls, n] : e.status)
    if (cls == "5xx" || cls == "none") errors += n;
  return {{"count", e.count},
          {"status", e.status},
          {"error_rate", std::round(1000.0 * static_cast<double>(errors) / static_cast<double>(e.count)) / 1000.0},
          {"p50_ms", percentile(e.durations, 0.5)},
          {"p95_ms", percentile(e.durations, 0.95)}};
}

// How different two sides of one endpoint are: the share of calls whose
// status class moved, then the p95 ratio.
double difference(const json& a, const json& b) {
  double moved = 0;
  std::map<std::string, double> share_a, share_b;
  for (const auto& [cls, n] : a["status"].items()) share_a[cls] = n.get<double>() / a["count"].get<double>();
  for (const auto& [cls, n] : b["status"].items()) share_b[cls] = n.get<double>() / b["count"].get<double>();
  for (const auto& [cls, s] : share_a) moved += std::abs(s - (share_b.count(cls) ? share_b[cls] : 0.0));
  for (const auto& [cls, s] : share_b)
    if (!share_a.count(cls)) moved += s;
  double latency = 0;
  if (a["p95_ms"].is_number() && b["p95_ms"].is_number()) {
    const double x = std::max(a["p95_ms"].get<double>(), 0.001), y = std::max(b["p95_ms"].get<double>(), 0.001);
    latency = std::abs(std::log(y / x));
  }
  return moved * 10.0 + latency;
}

json call_json(const Call& c) {
  return {{"id", c.id}, {"endpoint", c.endpoint}, {"status", c.status ? json(*c.status) : json(nullptr)}};
}

void only_in(const SessionCalls& one, const SessionCalls& other, std::size_t max, json& out, std::size_t& more) {
  std::vector<std::pair<std::string, std::size_t>> only;
  for (const auto& [endpoint, e] : one.endpoints)
    if (!other.endpoints.count(endpoint)) only.emplace_back(endpoint, e.count);
  std::stable_sort(only.begin(), only.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  more = only.size() > max ? only.size() - max : 0;
  for (std::size_t i = 0; i < only.size() && i < max; ++i)
    out.push_back({{"endpoint", only[i].first}, {"count", only[i].second}});
}

}  // namespace

Result<json> diff_sessions(SQLite::Database& db, std::int64_t a, std::int64_t b, const SessionDiffOptions& options) {
  auto read_a = read_session(db, a, options.max_exchanges);
  if (!read_a.is_ok()) return read_a.status();
  auto read_b = read_session(db, b, options.max_exchanges);
  if (!read_b.is_ok()) return read_b.status();
  SessionCalls& sa = *read_a;
  SessionCalls& sb = *read_b;

  json out;
  out["max_exchanges"] = options.max_exchanges;
  out["a"] = {{"session_id", a}, {"exchanges", sa.calls.size()}, {"endpoints", sa.endpoints.size()},
              {"truncated", sa.truncated}};
  out["b"] = {{"session_id", b}, {"exchanges", sb.calls.size()}, {"endpoints", sb.endpoints.size()},
              {"truncated", sb.truncated}};
  std::size_t more_a = 0, more_b = 0;
  json only_a = json::array(), only_b = json::array();
  only_in(sa, sb, options.max_endpoints, only_a, more_a);
  only_in(sb, sa, options.max_endpoints, only_b, more_b);
  out["only_in_a"] = std::move(only_a);
  out["only_in_b"] = std::move(only_b);
  if (more_a) out["more_only_in_a"] = more_a;
  if (more_b) out["more_only_in_b"] = more_b;

  std::vector<std::pair<double, json>> both;
  for (auto& [endpoint, ea] : sa.endpoints) {
    auto it = sb.endpoints.find(endpoint);
    if (it == sb.endpoints.end()) continue;
    json side_a = side_json(ea), side_b = side_json(it->second);
    const double d = difference(side_a, side_b);
    both.emplace_back(d, json{{"endpoint", endpoint}, {"a", std::move(side_a)}, {"b", std::move(side_b)}});
  }
  std::stable_sort(both.begin(), both.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  json listed = json::array();
  for (std::size_t i = 0; i < both.size() && i < options.max_endpoints; ++i) listed.push_back(both[i].second);
  out["both"] = std::move(listed);
  if (both.size() > options.max_endpoints) out["more_both"] = both.size() - options.max_endpoints;

  // The first position where the calls differ: another endpoint, or another status class.
  out["first_divergence"] = nullptr;
  const std::size_t n = std::min(sa.calls.size(), sb.calls.size());
  for (std::size_t i = 0; i <= n; ++i) {
    const bool end_a = i == sa.calls.size(), end_b = i == sb.calls.size();
    if (end_a && end_b) break;
    if (end_a || end_b || sa.calls[i].endpoint != sb.calls[i].endpoint ||
        status_class(sa.calls[i].status) != status_class(sb.calls[i].status)) {
      json d = {{"index", i}};
      d["a"] = end_a ? json(nullptr) : call_json(sa.calls[i]);
      d["b"] = end_b ? json(nullptr) : call_json(sb.calls[i]);
      out["first_divergence"] = std::move(d);
      break;
    }
  }
  return out;
}

namespace {

std::string side_text(const json& s) {
  std::string mix;
  for (const auto& [cls, n] : s["status"].items()) mix += (mix.empty() ? "" : " ") + cls + ":" + n.dump();
  auto ms = [](const json& v) { return v.is_number() ? v.dump() : std::string("-"); };
  return s["count"].dump() + " calls, " + mix + ", p50 " + ms(s["p50_ms"]) + " ms, p95 " + ms(s["p95_ms"]) + " ms";
}

std::string call_text(const json& c) {
  if (c.is_null()) return "(no more calls)";
  return "#" + c["id"].dump() + " " + c["endpoint"].get<std::string>() + " " +
         (c["status"].is_null() ? std::string("no response") : c["status"].dump());
}

}  // namespace

std::string session_diff_text(const json& d) {
  std::string out = "sessions " + d["a"]["session_id"].dump() + " (-, " + d["a"]["exchanges"].dump() +
                    " exchanges) and " + d["b"]["session_id"].dump() + " (+, " + d["b"]["exchanges"].dump() +
                    " exchanges)\n";
  if (d["a"]["truncated"] == true || d["b"]["truncated"] == true)
    out += "(only the first " + d.value("max_exchanges", json(kMaxExchangesPerSession)).dump() +
           " exchanges of a session are compared)\n";
  const json& first = d["first_divergence"];
  if (first.is_null()) out += "the same calls in the same order, with the same status classes\n";
  else
    out += "first divergence at call " + first["index"].dump() + ": - " + call_text(first["a"]) + " | + " +
           call_text(first["b"]) + "\n";
  for (const char* side : {"a", "b"}) {
    const json& only = d[std::string("only_in_") + side];
    if (only.empty()) continue;
    out += std::string("only in ") + (side[0] == 'a' ? "-" : "+") + ":\n";
    for (const json& e : only) out += "  " + e["endpoint"].get<std::string>() + " (" + e["count"].dump() + ")\n";
    if (d.contains(std::string("more_only_in_") + side))
      out += "  ... and " + d[std::string("more_only_in_") + side].dump() + " more\n";
  }
  if (!d["both"].empty()) {
    out += "in both, most different first:\n";
    for (const json& e : d["both"])
      out += "  " + e["endpoint"].get<std::string>() + "\n    - " + side_text(e["a"]) + "\n    + " + side_text(e["b"]) +
             "\n";
    if (d.contains("more_both")) out += "  ... and " + d["more_both"].dump() + " more\n";
  }
  return out;
}

}  // namespace trafficdb
