#include "cli/filter_options.h"

namespace trafficdb {

void FilterOptions::add_to(CLI::App& cmd) {
  CLI::Option_group* g = cmd.add_option_group("Filters", "All given filters must match (AND); lists match any value");
  g->add_option("--session", sessions, "Session id (repeatable)");
  g->add_option("--source", sources, "Session source: pcap, pcap-live, har, charles, charles-live, httptoolkit");
  g->add_option("--host", hosts, "Host: exact, *.example.com (domain and subdomains) or *part* (substring)");
  g->add_option("--method", methods, "Method (repeatable): GET, POST, ...");
  g->add_option("--status", status, "Status: 404, 5xx, 400-499, or a comma list");
  g->add_option("--path-prefix", path_prefix, "Path starts with");
  g->add_option("--path-contains", path_contains, "Path contains");
  g->add_option("--path-glob", path_glob, "Path matches a glob (*, ?, [..])");
  g->add_option("--url-contains", url_contains, "URL contains (case-insensitive, indexed)");
  g->add_option("--url-regex", url_regex, "URL matches an RE2 regex");
  g->add_option("--req-type", req_type, "Request content type: application/json, or a glob such as image/*");
  g->add_option("--resp-type", resp_type, "Response content type, likewise");
  g->add_option("--header", header, "Has header NAME, or NAME:VALUE (value contains, case-insensitive)");
  g->add_option("--header-side", header_side, "Where --header looks: request, response or either")
      ->check(CLI::IsMember({"request", "response", "either"}));
  g->add_option("--body-contains", body_contains, "Request or response body contains text (case-insensitive, indexed)");
  g->add_flag("--errors", errors, "Only exchanges that failed (no response or an error)");
  g->add_flag("--no-errors", no_errors, "Only exchanges without an error");
  g->add_option("--min-duration", min_duration_ms, "At least this many milliseconds");
  g->add_option("--min-size", min_size, "Response body at least this many bytes (decoded)");
  g->add_option("--max-size", max_size, "Response body at most this many bytes (decoded)");
  g->add_option("--since", since, "Started at or after: ISO-8601, or a time ago (10m, 2h, 'last 10 minutes')");
  g->add_option("--until", until, "Started before: ISO-8601, or a time ago");
}

Result<ExchangeFilter> FilterOptions::build() const {
  ExchangeFilter f;
  f.session_ids = sessions;
  f.sources = sources;
  for (const auto& h : hosts) {
    auto p = parse_host_pattern(h);
    if (!p.is_ok()) return Status::error("--host: " + p.status().message());
    f.hosts.push_back(*p);
  }
  for (const auto& m : methods) {
    auto p = parse_method(m);
    if (!p.is_ok()) return Status::error("--method: " + p.status().message());
    f.methods.push_back(*p);
  }
  if (!status.empty()) {
    auto s = parse_status_spec(status);
    if (!s.is_ok()) return Status::error("--status: " + s.status().message());
    f.statuses = *s;
  }
  f.path_prefix = path_prefix;
  f.path_contains = path_contains;
  f.path_glob = path_glob;
  f.url_contains = url_contains;
  if (!url_regex.empty()) {
    if (Status s = check_regex(url_regex); !s.is_ok()) return Status::error("--url-regex: " + s.message());
    f.url_regex = url_regex;
  }
  f.req_content_type = req_type;
  f.resp_content_type = resp_type;
  if (!header.empty()) {
    const auto colon = header.find(':');
    f.header_name = header.substr(0, colon);
    if (f.header_name.empty()) return Status::error("--header: give a header name, as NAME or NAME:VALUE");
    if (colon != std::string::npos) f.header_value = header.substr(colon + 1);
    while (!f.header_value.empty() && f.header_value.front() == ' ') f.header_value.erase(0, 1);
    f.header_side = header_side == "request" ? HeaderSide::request
                    : header_side == "response" ? HeaderSide::response : HeaderSide::either;
  }
  f.body_contains = body_contains;
  if (errors && no_errors) return Status::error("--errors and --no-errors contradict each other");
  if (errors) f.has_error = true;
  if (no_errors) f.has_error = false;
  if (min_duration_ms >= 0) f.min_duration_ms = min_duration_ms;
  if (min_size >= 0) f.min_body_bytes = min_size;
  if (max_size >= 0) f.max_body_bytes = max_size;
  const Micros now = now_micros();
  if (!since.empty()) {
    auto t = parse_time_spec(since, now);
    if (!t.is_ok()) return Status::error("--since: " + t.status().message());
    f.since = *t;
  }
  if (!until.empty()) {
    auto t = parse_time_spec(until, now);
    if (!t.is_ok()) return Status::error("--until: " + t.status().message());
    f.until = *t;
  }
  return f;
}

}  // namespace trafficdb
