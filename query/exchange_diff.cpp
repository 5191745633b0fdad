#include "query/exchange_diff.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/ascii.h"
#include "common/utf8.h"

namespace trafficdb {
namespace {

using json = nlohmann::json;

std::string cut_value(std::string_view value, std::size_t max) {
  if (value.size() <= max) return std::string(value);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
  return std::string(value.substr(0, end)) + "\xE2\x80\xA6";  // …
}

json a_and_b(json a, json b) { return {{"a", std::move(a)}, {"b", std::move(b)}}; }

class HeaderDiffer {
 public:
  explicit HeaderDiffer(const DiffOptions& options) : options_(options) {
    if (options.all_headers) return;
    for (const std::string_view v : kVolatileHeaders) skipped_.insert(std::string(v));
    for (const std::string& name : options.ignore_headers) skipped_.insert(ascii_lower(name));
  }

  json diff(const Headers& a, const Headers& b) {
    std::map<std::string, Values> by_name;  // by lower-case name
    for (const Header& h : a) add(by_name, h).a.push_back(h.value);
    for (const Header& h : b) add(by_name, h).b.push_back(h.value);
    json added = json::array(), removed = json::array(), changed = json::array();
    for (const auto& [lower, v] : by_name) {
      if (skipped_.count(lower)) {
        ignored_.insert(lower);
        continue;
      }
      if (v.a == v.b) continue;
      const bool secret = options_.redact && options_.rules->secret_header(v.name);
      if (v.a.empty()) {
        for (const std::string& value : v.b) added.push_back({{"name", v.name}, {"value", show(v.name, value)}});
      } else if (v.b.empty()) {
        for (const std::string& value : v.a) removed.push_back({{"name", v.name}, {"value", show(v.name, value)}});
      } else {
        json item = {{"name", v.name}, {"a", joined(v.name, v.a)}, {"b", joined(v.name, v.b)}};
        if (secret) item["masked"] = true;
        changed.push_back(std::move(item));
      }
    }
    return {{"added", added}, {"removed", removed}, {"changed", changed}};
  }

  json ignored() const { return json(std::vector<std::string>(ignored_.begin(), ignored_.end())); }

 private:
  // A header name as first seen, and its values on each side, in order.
  struct Values {
    std::string name;
    std::vector<std::string> a, b;
  };

  static Values& add(std::map<std::string, Values>& by_name, const Header& h) {
    auto& v = by_name[ascii_lower(h.name)];
    if (v.name.empty()) v.name = h.name;
    return v;
  }

  std::string show(const std::string& name, const std::string& value) const {
    const std::string shown = options_.redact ? redact_header_value(name, value, *options_.rules) : value;
    return cut_value(shown, options_.max_header_value_bytes);
  }

  // Several values of one name as one line, as a proxy would fold them.
  std::string joined(const std::string& name, const std::vector<std::string>& values) const {
    std::string out;
    for (const std::string& v : values) out += (out.empty() ? "" : ", ") + show(name, v);
    return cut_value(out, options_.max_header_value_bytes);
  }

  const DiffOptions& options_;
  std::set<std::string> skipped_;
  std::set<std::string> ignored_;
};

bool headers_empty(const json& h) { return h["added"].empty() && h["removed"].empty() && h["changed"].empty(); }

json body_diff(const Body& a, bool a_text, const Body& b, bool b_text, const DiffOptions& options) {
  json j;
  const auto size_a = a.decoded_size(), size_b = b.decoded_size();
  j["size_a"] = size_a ? json(*size_a) : json(nullptr);
  j["size_b"] = size_b ? json(*size_b) : json(nullptr);
  const bool partial = (size_a && *size_a > static_cast<std::int64_t>(a.data.size())) ||
                       (size_b && *size_b > static_cast<std::int64_t>(b.data.size()));
  if (partial) j["stored_partially"] = true;
  j["equal"] = a.data == b.data && size_a == size_b;
  if (j["equal"].get<bool>()) {
    j["kind"] = a.data.empty() ? "empty" : "same";
    return j;
  }
  const bool text_a = a.data.empty() || a_text || looks_like_text(a.data);
  const bool text_b = b.data.empty() || b_text || looks_like_text(b.data);
  if (text_a && text_b) {
    if (auto structural = diff_json_texts(a.data, b.data, options.json)) {
      j["kind"] = "json";
      j["json"] = json_diff_to_json(*structural);
      if (structural->equal) j["json"]["note"] = "the same JSON value, formatted differently";
      return j;
    }
    const LineDiff lines = diff_lines(a.data, b.data, options.text);
    j["kind"] = "text";
    json t = {{"lines_a", lines.lines_a}, {"lines_b", lines.lines_b}};
    if (lines.summarized) {
      t["summarized"] = true;
      t["reason"] = lines.reason;
    } else {
      t["added"] = lines.added;
      t["removed"] = lines.removed;
      t["unified"] = lines.unified;
      if (lines.omitted_lines) t["omitted_lines"] = lines.omitted_lines;
      if (!lines.reason.empty()) t["note"] = lines.reason;
    }
    j["text"] = std::move(t);
    return j;
  }
  j["kind"] = "binary";
  return j;
}

json side(const StoredExchange& s) {
  const auto& started = s.exchange.timings.started;
  return {{"id", s.id},
          {"started_at", started ? json(format_iso8601(*started)) : json(nullptr)},
          {"duration_ms", s.duration_ms ? json(std::round(*s.duration_ms * 1000) / 1000) : json(nullptr)}};
}

}  // namespace

json diff_exchanges(const StoredExchange& sa, const StoredExchange& sb, const DiffOptions& options) {
  const Exchange& a = sa.exchange;
  const Exchange& b = sb.exchange;
  json out;
  out["a"] = side(sa);
  out["b"] = side(sb);

  json line = json::object();
  if (a.request.method != b.request.method) line["method"] = a_and_b(a.request.method, b.request.method);
  if (a.request.url != b.request.url) {
    auto url = [&](const std::string& u) { return options.redact ? redact_url(u, *options.rules) : u; };
    line["url"] = a_and_b(cut_value(url(a.request.url), 2048), cut_value(url(b.request.url), 2048));
  }
  if (a.request.http_version != b.request.http_version)
    line["http_version"] = a_and_b(a.request.http_version, b.request.http_version);
  out["request_line"] = line;

  auto status = [](const Exchange& e) { return e.response ? json(e.response->status) : json(nullptr); };
  if (status(a) != status(b)) out["status"] = a_and_b(status(a), status(b));
  if (a.error != b.error) out["error"] = a_and_b(a.error.empty() ? json(nullptr) : json(a.error),
                                              b.error.empty() ? json(nullptr) : json(b.error));

  HeaderDiffer headers(options);
  out["request"] = {{"headers", headers.diff(a.request.headers, b.request.headers)},
                    {"body", body_diff(a.request.body, sa.req_body_is_text, b.request.body, sb.req_body_is_text, options)}};
  const Response none;
  const Response& ra = a.response ? *a.response : none;
  const Response& rb = b.response ? *b.response : none;
  out["response"] = {{"headers", headers.diff(ra.headers, rb.headers)},
                     {"body", body_diff(ra.body, sa.resp_body_is_text, rb.body, sb.resp_body_is_text, options)}};

  json timing = json::object();
  if (sa.duration_ms && sb.duration_ms) {
    auto r3 = [](double v) { return std::round(v * 1000) / 1000; };
    timing["duration_ms"] = {{"a", r3(*sa.duration_ms)}, {"b", r3(*sb.duration_ms)},
                             {"delta", r3(*sb.duration_ms - *sa.duration_ms)}};
  }
  out["timing"] = timing;
  out["ignored_headers"] = headers.ignored();
  out["redacted"] = options.redact;
  out["identical"] = line.empty() && !out.contains("status") && !out.contains("error") &&
                     headers_empty(out["request"]["headers"]) && headers_empty(out["response"]["headers"]) &&
                     out["request"]["body"]["equal"].get<bool>() && out["response"]["body"]["equal"].get<bool>();
  return out;
}

Result<json> diff_stored_exchanges(SQLite::Database& db, std::int64_t a, std::int64_t b, const DiffOptions& options) {
  auto load = [&](std::int64_t id) -> Result<StoredExchange> {
    auto loaded = load_exchange(db, id, 0);
    if (!loaded.is_ok()) return loaded.status();
    if (!loaded->has_value()) return Status::not_found("no exchange with id " + std::to_string(id));
    return std::move(**loaded);
  };
  auto ea = load(a);
  if (!ea.is_ok()) return ea.status();
  auto eb = load(b);
  if (!eb.is_ok()) return eb.status();
  return diff_exchanges(*ea, *eb, options);
}

}  // namespace trafficdb
