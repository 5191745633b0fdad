// ExchangeFilter: what a user or agent can ask of the exchanges, and its
// translation into SQL.
//
// Every condition is optional; the ones given are ANDed. Lists (hosts,
// methods, statuses, sessions, sources) match any of their values. The SQL
// is built only from fixed fragments; every value is a bound parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/timestamp.h"

namespace trafficdb {

struct HostPattern {
  enum class Kind { exact, suffix, substring };
  Kind kind = Kind::exact;
  std::string text;  // lower-case; for suffix, without the leading "*."
};

struct StatusRange {
  int low = 0;  // inclusive
  int high = 0;
};

enum class HeaderSide { request, response, either };

// An endpoint: a method (optional) and a path template (model/path_template.h).
struct EndpointPattern {
  std::string method;         // upper-case; "" = any method
  std::string path_template;  // "/users/{id}"
};

struct ExchangeFilter {
  std::vector<std::int64_t> session_ids;
  std::vector<std::string> sources;  // sessions.source values
  std::vector<HostPattern> hosts;
  std::vector<std::string> methods;  // upper-case
  std::vector<StatusRange> statuses;
  std::string path_prefix;
  std::string path_contains;
  std::string path_glob;       // SQLite GLOB: * ? [..]
  std::optional<EndpointPattern> endpoint;  // path_template(path) equals it (and the method, when given)
  std::string url_contains;    // substring of the URL, case-insensitive
  std::string url_regex;       // RE2 syntax
  std::string req_content_type;   // media type, or a glob such as "image/*"
  std::string resp_content_type;
  std::string header_name;     // header present (case-insensitive name)...
  std::string header_value;    // ...whose value contains this (case-insensitive); "" = any value
  HeaderSide header_side = HeaderSide::either;
  std::string body_contains;   // request or response body text, case-insensitive
  std::optional<bool> has_error;
  std::optional<double> min_duration_ms;
  std::optional<std::int64_t> min_body_bytes;  // response body, decoded
  std::optional<std::int64_t> max_body_bytes;
  std::optional<Micros> since;  // started_at >= since
  std::optional<Micros> until;  // started_at < until

  bool empty() const;
};

// A parameter for a prepared statement.
using SqlParam = std::variant<std::int64_t, double, std::string>;

struct SqlCondition {
  std::string sql;  // a boolean expression over `e` (exchanges); "1" when the filter is empty
  std::vector<SqlParam> params;
};

// How a body search finds its exchanges; which is fastest depends on how
// many bodies hold the word, which plan_body_search measures.
enum class BodySearchPlan {
  // Few bodies hold it: look their exchanges up from each matching body.
  lookup,
  // Many: walk the exchanges in the order the query asks and check each
  // against the set of matching bodies (a page stops after a few rows, while
  // looking up every match and sorting them costs in proportion to all).
  walk_index,
  // A large share: walk the exchanges and read their bodies, which beats
  // collecting the index's matches (hundreds of thousands) into a set. Only
  // for pages, under a time budget: a capped count or a page of a selective
  // filter could read many bodies.
  walk_bodies,
};

// How the condition lets SQLite find the rows, where the filter alone cannot
// say (it depends on the data; query/text_search.h decides).
struct ConditionPlan {
  BodySearchPlan body_search = BodySearchPlan::lookup;
};

// The WHERE condition for `filter`. Fails only for values no query can use
// (an RE2 pattern RE2 refuses, an empty status range).
Result<SqlCondition> filter_condition(const ExchangeFilter& filter, const ConditionPlan& plan = {});

// --- Parsing the textual forms the CLI and MCP accept -----------------------

// "api.example.com" (exact), "*.example.com" (that domain and its
// subdomains), "*api*" (substring).
Result<HostPattern> parse_host_pattern(std::string_view text);

// "200", "5xx", "400-499", or a comma-separated list of those.
Result<std::vector<StatusRange>> parse_status_spec(std::string_view text);

// A method token: letters (and '-', '_'); upper-cased. Non-standard methods
// are fine ("PURGE", "QUERY"); "G E T" is not.
Result<std::string> parse_method(std::string_view text);

// A point in time: ISO-8601 ("2026-01-15T10:00:00Z"), or a duration ago
// ("10m", "2h", "last 10 minutes", "90s ago"). `now` is passed in for tests.
Result<Micros> parse_time_spec(std::string_view text, Micros now);

// "GET /users/{id}" or "/users/{id}"; the path is templated itself, so a
// real path ("/users/42") names its endpoint too. The path must start with '/'.
Result<EndpointPattern> parse_endpoint(std::string_view text);

// Checks an RE2 pattern; the error says why RE2 refuses it.
Status check_regex(std::string_view pattern);

}  // namespace trafficdb
