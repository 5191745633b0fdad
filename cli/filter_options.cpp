#include "cli/filter_options.h"

namespace trafficdb {

void FilterOptions::add_to(CLI::App& cmd) {
  CLI::Option_group* g = cmd.add_option_group("Filters", "All given filters must match (AND); lists match any value");
  g->add_option("--session", sessions, "Session id (repeatable)");
  g->add_option("--source", sources, "Session source: pcap, pcap-live, har, charles, charles-live, httptoolkit, replay");
  g->add_option("--host", hosts, "Host: exact, *.example.com (domain and subdomains) or *part* (substring)");
  g->add_option("--method", methods, "Method (repeatable): GET, POST, ...");
  g->add_option("--status", status, "Status: 404, 5xx, 400-499, or a comma list");
  g->add_option("--path-prefix", path_prefix, "Path starts with");
  g->add_option("--path-contains", path_contains, "Path contains");
  g->add_option("--path-glob", path_glob, "Path matches a glob (*, ?, [..])");
  g->add_option("--endpoint", endpoint,
                "Endpoint: METHOD and path template, or the template alone: 'GET /users/{id}', '/users/{id}' "
                "(see stats --by endpoint)");
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
  return FilterSpec::build([](std::string_view field) -> std::string {
    if (field == "errors") return "--errors and --no-errors";
    std::string option = "--" + std::string(field);
    for (char& c : option) if (c == '_') c = '-';
    return option;
  });
}

}  // namespace trafficdb
