#include "query/filter_spec.h"

#include "common/timestamp.h"

namespace trafficdb {

Result<ExchangeFilter> FilterSpec::build(const Label& label) const {
  ExchangeFilter f;
  f.session_ids = sessions;
  f.sources = sources;
  for (const auto& h : hosts) {
    auto p = parse_host_pattern(h);
    if (!p.is_ok()) return Status::invalid_input(label("host") + ": " + p.status().message());
    f.hosts.push_back(*p);
  }
  for (const auto& m : methods) {
    auto p = parse_method(m);
    if (!p.is_ok()) return Status::invalid_input(label("method") + ": " + p.status().message());
    f.methods.push_back(*p);
  }
  if (!status.empty()) {
    auto s = parse_status_spec(status);
    if (!s.is_ok()) return Status::invalid_input(label("status") + ": " + s.status().message());
    f.statuses = *s;
  }
  f.path_prefix = path_prefix;
  f.path_contains = path_contains;
  f.path_glob = path_glob;
  if (!endpoint.empty()) {
    auto e = parse_endpoint(endpoint);
    if (!e.is_ok()) return Status::invalid_input(label("endpoint") + ": " + e.status().message());
    f.endpoint = *e;
  }
  f.url_contains = url_contains;
  if (!url_regex.empty()) {
    if (Status s = check_regex(url_regex); !s.is_ok()) return Status::invalid_input(label("url_regex") + ": " + s.message());
    f.url_regex = url_regex;
  }
  f.req_content_type = req_type;
  f.resp_content_type = resp_type;
  if (!header.empty()) {
    const auto colon = header.find(':');
    f.header_name = header.substr(0, colon);
    if (f.header_name.empty()) return Status::invalid_input(label("header") + ": give a header name, as NAME or NAME:VALUE");
    if (colon != std::string::npos) f.header_value = header.substr(colon + 1);
    while (!f.header_value.empty() && f.header_value.front() == ' ') f.header_value.erase(0, 1);
    f.header_side = header_side == "request" ? HeaderSide::request
                    : header_side == "response" ? HeaderSide::response : HeaderSide::either;
  }
  f.body_contains = body_contains;
  if (errors && no_errors) return Status::invalid_input(label("errors") + " contradict each other");
  if (errors) f.has_error = true;
  if (no_errors) f.has_error = false;
  if (min_duration_ms >= 0) f.min_duration_ms = min_duration_ms;
  if (min_size >= 0) f.min_body_bytes = min_size;
  if (max_size >= 0) f.max_body_bytes = max_size;
  const Micros now = now_micros();
  if (!since.empty()) {
    auto t = parse_time_spec(since, now);
    if (!t.is_ok()) return Status::invalid_input(label("since") + ": " + t.status().message());
    f.since = *t;
  }
  if (!until.empty()) {
    auto t = parse_time_spec(until, now);
    if (!t.is_ok()) return Status::invalid_input(label("until") + ": " + t.status().message());
    f.until = *t;
  }
  return f;
}

}  // namespace trafficdb
