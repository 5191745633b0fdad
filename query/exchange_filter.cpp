#include "query/exchange_filter.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

#include "common/ascii.h"
#include "common/comma_list.h"
#include "model/path_template.h"
#include "query/text_search.h"

namespace trafficdb {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Escapes LIKE's wildcards for use with ESCAPE '\'.
std::string like_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// The smallest string above every string that starts with `prefix`, byte
// by byte: the prefix with its last byte below 0xFF raised by one and what
// follows cut. None when every byte is 0xFF.
std::optional<std::string> prefix_successor(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
  if (prefix.empty()) return std::nullopt;
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

class Builder {
 public:
  void add(std::string sql) { parts_.push_back("(" + std::move(sql) + ")"); }
  std::string param(SqlParam p) {
    params_.push_back(std::move(p));
    return "?" + std::to_string(params_.size());
  }
  template <typename T, typename F>
  void any_of(const std::vector<T>& values, F&& each) {
    if (values.empty()) return;
    std::string sql;
    for (const T& v : values) sql += (sql.empty() ? "" : " OR ") + each(v);
    add(sql);
  }
  SqlCondition finish() {
    SqlCondition c;
    for (const auto& p : parts_) c.sql += (c.sql.empty() ? "" : " AND ") + p;
    if (c.sql.empty()) c.sql = "1";
    c.params = std::move(params_);
    return c;
  }

 private:
  std::vector<std::string> parts_;
  std::vector<SqlParam> params_;
};

std::string header_exists(Builder& b, const char* column, const std::string& name, const std::string& value) {
  std::string sql = "EXISTS (SELECT 1 FROM json_each(e." + std::string(column) +
                    ") h WHERE lower(h.value ->> 0) = " + b.param(ascii_lower(name));
  if (!value.empty()) sql += " AND instr(lower(h.value ->> 1), " + b.param(ascii_lower(value)) + ") > 0";
  return sql + ")";
}

}  // namespace

bool ExchangeFilter::empty() const {
  return session_ids.empty() && sources.empty() && hosts.empty() && methods.empty() && statuses.empty() &&
         path_prefix.empty() && path_contains.empty() && path_glob.empty() && !endpoint && url_contains.empty() &&
         url_regex.empty() && req_content_type.empty() && resp_content_type.empty() && header_name.empty() &&
         body_contains.empty() && !has_error && !min_duration_ms && !min_body_bytes && !max_body_bytes && !since &&
         !until;
}

Result<SqlCondition> filter_condition(const ExchangeFilter& f, const ConditionPlan& plan) {
  Builder b;
  b.any_of(f.session_ids, [&](std::int64_t id) { return "e.session_id = " + b.param(id); });
  if (!f.sources.empty()) {
    std::string in;
    for (const auto& s : f.sources) in += (in.empty() ? "" : ", ") + b.param(s);
    b.add("e.session_id IN (SELECT id FROM sessions WHERE source IN (" + in + "))");
  }
  b.any_of(f.hosts, [&](const HostPattern& h) -> std::string {
    switch (h.kind) {
      case HostPattern::Kind::exact: return "e.host = " + b.param(h.text);
      case HostPattern::Kind::suffix:
        return "e.host = " + b.param(h.text) + " OR e.host LIKE " + b.param("%." + like_escape(h.text)) + " ESCAPE '\\'";
      case HostPattern::Kind::substring: break;
    }
    return "instr(e.host, " + b.param(h.text) + ") > 0";
  });
  b.any_of(f.methods, [&](const std::string& m) { return "e.method = " + b.param(m); });
  for (const StatusRange& r : f.statuses)
    if (r.low > r.high) return Status::invalid_input("status range " + std::to_string(r.low) + "-" + std::to_string(r.high) + " is empty");
  b.any_of(f.statuses, [&](const StatusRange& r) {
    if (r.low == r.high) return "e.status = " + b.param(std::int64_t{r.low});
    return "e.status BETWEEN " + b.param(std::int64_t{r.low}) + " AND " + b.param(std::int64_t{r.high});
  });
  if (!f.path_prefix.empty()) {
    // The range lets exchanges_path serve it (paths compare byte by byte);
    // the substr keeps it exact.
    const std::string prefix = b.param(f.path_prefix);
    std::string range = "e.path >= " + prefix;
    if (auto above = prefix_successor(f.path_prefix)) range += " AND e.path < " + b.param(*above);
    b.add(range + " AND substr(e.path, 1, length(" + prefix + ")) = " + prefix);  // length() counts characters, as substr does
  }
  if (!f.path_contains.empty()) b.add("instr(e.path, " + b.param(f.path_contains) + ") > 0");
  if (!f.path_glob.empty()) b.add("e.path GLOB " + b.param(f.path_glob));
  if (f.endpoint) {
    if (!f.endpoint->method.empty()) b.add("e.method = " + b.param(f.endpoint->method));
    b.add("e.path_template = " + b.param(f.endpoint->path_template));
  }
  if (!f.url_contains.empty()) b.add(url_search_condition(f.url_contains, [&](SqlParam p) { return b.param(std::move(p)); }));
  if (!f.url_regex.empty()) {
    if (Status s = check_regex(f.url_regex); !s.is_ok()) return s;
    b.add("regexp(" + b.param(f.url_regex) + ", e.url)");
  }
  for (const auto& [column, pattern] : {std::pair<const char*, const std::string&>{"req_content_type", f.req_content_type},
                                        std::pair<const char*, const std::string&>{"resp_content_type", f.resp_content_type}}) {
    if (pattern.empty()) continue;
    const std::string p = ascii_lower(pattern);
    if (p.find_first_of("*?[") != std::string::npos) b.add(std::string("e.") + column + " GLOB " + b.param(p));
    else b.add(std::string("e.") + column + " = " + b.param(p));
  }
  if (!f.header_name.empty()) {
    std::string sql;
    if (f.header_side != HeaderSide::response) sql = header_exists(b, "req_headers", f.header_name, f.header_value);
    if (f.header_side != HeaderSide::request) {
      if (!sql.empty()) sql += " OR ";
      sql += header_exists(b, "resp_headers", f.header_name, f.header_value);
    }
    b.add(sql);
  }
  if (!f.body_contains.empty())
    b.add(body_search_condition(f.body_contains, [&](SqlParam p) { return b.param(std::move(p)); },
                                plan.body_search));
  if (f.has_error) b.add(*f.has_error ? "e.error IS NOT NULL" : "e.error IS NULL");
  if (f.min_duration_ms) b.add("e.duration_ms >= " + b.param(*f.min_duration_ms));
  if (f.min_body_bytes) b.add("e.resp_body_size >= " + b.param(*f.min_body_bytes));
  if (f.max_body_bytes) b.add("e.resp_body_size <= " + b.param(*f.max_body_bytes));
  if (f.since) b.add("e.started_at >= " + b.param(static_cast<std::int64_t>(*f.since)));
  if (f.until) b.add("e.started_at < " + b.param(static_cast<std::int64_t>(*f.until)));
  return b.finish();
}

Result<HostPattern> parse_host_pattern(std::string_view text) {
  std::string t = ascii_lower(trim(text));
  if (t.empty()) return Status::invalid_input("empty host pattern");
  HostPattern p;
  if (t.size() >= 2 && t.front() == '*' && t.back() == '*') {
    p.kind = HostPattern::Kind::substring;
    p.text = t.substr(1, t.size() - 2);
  } else if (t.rfind("*.", 0) == 0) {
    p.kind = HostPattern::Kind::suffix;
    p.text = t.substr(2);
  } else {
    p.text = t;
  }
  if (p.text.empty() || p.text.find('*') != std::string::npos)
    return Status::invalid_input("bad host pattern '" + std::string(text) +
                         "': use api.example.com, *.example.com or *api* (substring)");
  return p;
}

Result<std::vector<StatusRange>> parse_status_spec(std::string_view text) {
  std::vector<StatusRange> out;
  const std::string spec(text);
  auto number = [](std::string_view s, int& v) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && v >= 0 && v <= 999;
  };
  for (const std::string& typed : split_comma_list(spec, EmptyItems::keep)) {
    const std::string item = ascii_lower(typed);
    if (item.empty()) return Status::invalid_input("empty status in '" + spec + "'");
    StatusRange r;
    if (item.size() == 3 && item[1] == 'x' && item[2] == 'x' && item[0] >= '1' && item[0] <= '5') {
      r.low = (item[0] - '0') * 100;
      r.high = r.low + 99;
    } else if (const auto dash = item.find('-'); dash != std::string::npos) {
      if (!number(std::string_view(item).substr(0, dash), r.low) || !number(std::string_view(item).substr(dash + 1), r.high))
        return Status::invalid_input("bad status range '" + item + "' (use e.g. 400-499)");
    } else if (!number(item, r.low)) {
      return Status::invalid_input("bad status '" + item + "': use a code (404), a class (5xx) or a range (400-499)");
    } else {
      r.high = r.low;
    }
    if (r.low > r.high) return Status::invalid_input("status range '" + item + "' is empty");
    out.push_back(r);
  }
  return out;
}

Result<std::string> parse_method(std::string_view text) {
  std::string m = trim(text);
  if (m.empty() || m.size() > 32) return Status::invalid_input("bad method '" + std::string(text) + "'");
  for (char& c : m) {
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      return Status::invalid_input("bad method '" + std::string(text) + "': a method is letters only (GET, POST, PURGE, ...)");
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return m;
}

Result<Micros> parse_time_spec(std::string_view text, Micros now) {
  std::string t = ascii_lower(trim(text));
  if (auto iso = parse_iso8601(t); iso) return *iso;
  if (t.rfind("last ", 0) == 0) t = trim(t.substr(5));
  if (t.size() > 4 && t.compare(t.size() - 4, 4, " ago") == 0) t = trim(t.substr(0, t.size() - 4));
  char* end = nullptr;
  double n = std::strtod(t.c_str(), &end);
  if (end == t.c_str()) {
    n = 1;  // "last hour"
    end = t.data();
  }
  const std::string unit = trim(end);
  double seconds_per;
  if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds") seconds_per = 1;
  else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minute" || unit == "minutes") seconds_per = 60;
  else if (unit == "h" || unit == "hour" || unit == "hours") seconds_per = 3600;
  else if (unit == "d" || unit == "day" || unit == "days") seconds_per = 86400;
  else
    return Status::invalid_input("'" + std::string(text) +
                         "' is not a time: give ISO-8601 (2026-01-15T10:00:00Z) or a time ago (10m, 2h, 'last 10 minutes')");
  if (!std::isfinite(n) || n < 0 || n > 1e6) return Status::invalid_input("'" + std::string(text) + "' is out of range");
  return now - static_cast<Micros>(std::llround(n * seconds_per * 1e6));
}

Result<EndpointPattern> parse_endpoint(std::string_view text) {
  const std::string t = trim(text);
  EndpointPattern e;
  std::string_view path = t;
  if (const std::size_t space = t.find(' '); space != std::string::npos && !t.empty() && t.front() != '/') {
    auto method = parse_method(std::string_view(t).substr(0, space));
    if (!method.is_ok()) return method.status();
    e.method = *method;
    path = std::string_view(t).substr(space + 1);
    while (!path.empty() && path.front() == ' ') path.remove_prefix(1);
  }
  if (path.empty() || path.front() != '/')
    return Status::invalid_input("bad endpoint '" + std::string(text) +
                                 "': give a path template, with or without a method: \"GET /users/{id}\" or \"/users/{id}\"");
  e.path_template = path_template(path);
  return e;
}

Status check_regex(std::string_view pattern) {
  if (pattern.size() > 4096) return Status::invalid_input("regex is longer than 4096 characters");
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re.ok()) return Status::invalid_input("RE2 refuses the regex '" + std::string(pattern) + "': " + re.error());
  return Status::ok();
}

}  // namespace trafficdb
