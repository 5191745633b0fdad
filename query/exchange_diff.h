// The difference between two stored exchanges, for people (`trafficdb diff`)
// and agents (MCP diff_exchanges): what changed in the request line, the
// status, the request and response headers and bodies, and the timing.
//
// Headers are matched by name, case-insensitively; a name's values (in
// order, duplicates kept) are compared as a list: a name on one side only is
// added or removed, a name whose values differ is changed. Volatile headers,
// which differ between any two calls, are skipped by default (see
// kVolatileHeaders; Set-Cookie and Cookie are not among them: redacted, they
// show only cookie names and attributes, which are worth seeing change);
// callers add names to skip, or skip none.
//
// Bodies: equal bytes say so; two JSON bodies (objects or arrays) are
// compared by structure (query/json_diff.h); two text bodies as a unified
// diff by lines (query/line_diff.h); anything else by size and equality.
// Every part is bounded (those headers' limits; header values cut at 1 KiB).
// Bodies are compared as stored (the store may have kept a prefix: then
// `stored_partially` says so).
//
// Redaction: values are compared as stored, and shown masked where
// query/redaction.h masks them (headers and the URL's query); a change
// between two secrets shows as a change between masked values, marked
// `masked`. `redact = false` shows them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "query/exchange_loader.h"
#include "query/json_diff.h"
#include "query/line_diff.h"
#include "query/redaction.h"

namespace trafficdb {

// Skipped by default (lower-case).
inline constexpr std::string_view kVolatileHeaders[] = {
    "date",        "age",        "expires",          "last-modified", "etag",          "x-request-id",
    "x-amzn-trace-id", "x-amzn-requestid", "x-amz-cf-id", "x-trace-id", "x-correlation-id", "traceparent",
    "tracestate",  "cf-ray",     "x-runtime",        "server-timing", "x-response-time", "report-to",
    "nel"};

struct DiffOptions {
  std::vector<std::string> ignore_headers;  // names to skip besides the volatile ones (any case)
  bool all_headers = false;                  // skip none: not even the volatile ones nor ignore_headers
  bool redact = true;
  const RedactionRules* rules = &RedactionRules::defaults();
  JsonDiffLimits json;
  LineDiffLimits text;
  std::size_t max_header_value_bytes = 1024;
};

// The diff as JSON (docs/mcp.md, diff_exchanges):
// {a:{id,started_at,duration_ms}, b:{...}, identical, request_line:{method?,url?,http_version?},
//  status?:{a,b}, request:{headers:{added,removed,changed}, body}, response:{...},
//  timing:{duration_ms:{a,b,delta}}, ignored_headers:[...], redacted}
nlohmann::json diff_exchanges(const StoredExchange& a, const StoredExchange& b, const DiffOptions& options = {});

// Loads exchanges `a` and `b` and diffs them; not_found names a missing id.
Result<nlohmann::json> diff_stored_exchanges(SQLite::Database& db, std::int64_t a, std::int64_t b,
                                             const DiffOptions& options = {});

}  // namespace trafficdb
