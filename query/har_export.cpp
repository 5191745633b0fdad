#include "query/har_export.h"

#include <nlohmann/json.hpp>

#include "common/utf8.h"
#include "query/body_redaction.h"
#include "query/exchange_loader.h"
#include "query/exchange_page.h"
#include "common/base64.h"

namespace trafficdb {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json har_headers(const Headers& headers) {
  ordered_json out = ordered_json::array();
  for (const Header& h : headers) out.push_back({{"name", h.name}, {"value", h.value}});
  return out;
}

ordered_json query_string(const std::optional<std::string>& query) {
  ordered_json out = ordered_json::array();
  if (!query || query->empty()) return out;
  std::size_t start = 0;
  while (start <= query->size()) {
    const std::size_t amp = std::min(query->find('&', start), query->size());
    const std::string pair = query->substr(start, amp - start);
    const std::size_t eq = pair.find('=');
    out.push_back({{"name", pair.substr(0, eq)}, {"value", eq == std::string::npos ? "" : pair.substr(eq + 1)}});
    if (amp == query->size()) break;
    start = amp + 1;
  }
  return out;
}

// Sets "text" (and "encoding": "base64" for bytes that are not text); with
// `rules`, secrets in a text body are masked (query/body_redaction.h).
void put_body_text(ordered_json& target, const Body& body, std::string_view content_type,
                   const RedactionRules* rules) {
  if (looks_like_text(body.data)) {
    std::optional<RedactedBody> redacted;
    if (rules) redacted = redact_body(body.data, content_type, *rules);
    target["text"] = redacted ? redacted->text : body.data;
  } else {
    target["text"] = base64_encode(body.data);
    target["encoding"] = "base64";
  }
}

double ms_between(const std::optional<Micros>& a, const std::optional<Micros>& b) {
  if (!a || !b || *b < *a) return -1;
  return static_cast<double>(*b - *a) / 1000.0;
}

ordered_json har_entry(const StoredExchange& stored, const HarExportOptions& options) {
  const Exchange& ex = stored.exchange;
  const Request& rq = ex.request;
  const RedactionRules& rules = *options.rules;
  auto headers = [&](const Headers& h) { return har_headers(options.redact ? redact_headers(h, rules) : h); };

  ordered_json entry;
  entry["startedDateTime"] = format_iso8601(ex.timings.started.value_or(0));
  entry["time"] = stored.duration_ms.value_or(0.0);

  // HAR wants an absolute URL; a CONNECT tunnel is stored as host:port.
  const std::string url = ex.tunnel && rq.url.find("://") == std::string::npos ? "https://" + rq.url : rq.url;
  ordered_json request = {{"method", rq.method},
                          {"url", options.redact ? redact_url(url, rules) : url},
                          {"httpVersion", rq.http_version},
                          {"cookies", ordered_json::array()},
                          {"headers", headers(rq.headers)},
                          {"queryString", query_string(options.redact && rq.query
                                                           ? std::optional<std::string>(redact_query_string(*rq.query, rules))
                                                           : rq.query)},
                          {"headersSize", -1},
                          {"bodySize", rq.body.wire_size.value_or(rq.body.data.empty() ? 0 : -1)}};
  if (!rq.body.data.empty()) {
    const std::string type(find_header(rq.headers, "content-type").value_or(""));
    ordered_json post = {{"mimeType", type}};
    put_body_text(post, rq.body, type, options.redact ? &rules : nullptr);
    request["postData"] = std::move(post);
  }
  entry["request"] = std::move(request);

  if (ex.response) {
    const Response& rs = *ex.response;
    ordered_json content = {{"size", rs.body.decoded_size().value_or(static_cast<std::int64_t>(rs.body.data.size()))},
                            {"mimeType", std::string(find_header(rs.headers, "content-type").value_or(""))}};
    if (!rs.body.data.empty())
      put_body_text(content, rs.body, content["mimeType"].get<std::string>(), options.redact ? &rules : nullptr);
    entry["response"] = {{"status", rs.status},
                         {"statusText", rs.status_text},
                         {"httpVersion", rs.http_version},
                         {"cookies", ordered_json::array()},
                         {"headers", headers(rs.headers)},
                         {"content", std::move(content)},
                         {"redirectURL", options.redact ? redact_url(find_header(rs.headers, "location").value_or(""), rules)
                                                        : std::string(find_header(rs.headers, "location").value_or(""))},
                         {"headersSize", -1},
                         {"bodySize", rs.body.wire_size.value_or(-1)}};
  } else {
    entry["response"] = {{"status", 0},          {"statusText", ""},       {"httpVersion", ""},
                         {"cookies", ordered_json::array()}, {"headers", ordered_json::array()},
                         {"content", {{"size", 0}, {"mimeType", ""}}},     {"redirectURL", ""},
                         {"headersSize", -1},    {"bodySize", -1},         {"_error", ex.error}};
  }
  entry["cache"] = ordered_json::object();
  const double send = ms_between(ex.timings.started, ex.timings.request_sent);
  const double wait = ms_between(ex.timings.request_sent, ex.timings.response_started);
  const double receive = ms_between(ex.timings.response_started, ex.timings.ended);
  entry["timings"] = {{"blocked", -1},          {"dns", -1},
                      {"connect", -1},          {"send", send < 0 ? 0 : send},
                      {"wait", wait < 0 ? stored.duration_ms.value_or(0.0) : wait},
                      {"receive", receive < 0 ? 0 : receive}};
  if (!ex.server_addr.empty()) {
    std::string ip = ex.server_addr;
    if (!ip.empty() && ip.front() == '[') ip = ip.substr(1, ip.find(']') - 1);
    else if (const auto colon = ip.rfind(':'); colon != std::string::npos) ip = ip.substr(0, colon);
    entry["serverIPAddress"] = ip;
  }
  entry["_trafficdb"] = {{"id", stored.id}, {"session_id", stored.session_id}};
  if (!ex.error.empty()) entry["_trafficdb"]["error"] = ex.error;
  return entry;
}

constexpr const char* kHarOpening =
    "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"trafficdb\",\"version\":\"" TRAFFICDB_VERSION "\"},\"pages\":[],"
    "\"entries\":[";
constexpr const char* kHarClosing = "\n]}}\n";

void write_entry(std::ostream& out, const StoredExchange& stored, const HarExportOptions& options, bool first) {
  out << (first ? "\n" : ",\n")
      << har_entry(stored, options).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<std::size_t> export_har_exchange(SQLite::Database& db, std::int64_t id, std::ostream& out,
                                        const HarExportOptions& options) {
  auto loaded = load_exchange(db, id, 0);
  if (!loaded.is_ok()) return loaded.status();
  if (!loaded->has_value()) return Status::not_found("no exchange " + std::to_string(id));
  out << kHarOpening;
  write_entry(out, **loaded, options, true);
  out << kHarClosing;
  if (!out) return Status::io_error("writing the HAR file failed");
  return std::size_t{1};
}

Result<std::size_t> export_har(SQLite::Database& db, const ExchangeFilter& filter, std::ostream& out,
                               const HarExportOptions& options) {
  out << kHarOpening;
  std::size_t written = 0;
  PageRequest request;
  request.filter = filter;
  request.after_id = 0;
  request.limit = 500;
  for (;;) {
    auto page = find_exchanges(db, request);
    if (!page.is_ok()) return page.status();
    for (const ExchangeSummary& s : page->items) {
      if (options.cancel && options.cancel->load()) return Status::cancelled("export cancelled");
      auto loaded = load_exchange(db, s.id, 0);
      if (!loaded.is_ok()) return loaded.status();
      if (!loaded->has_value()) continue;  // deleted meanwhile
      write_entry(out, **loaded, options, written == 0);
      ++written;
      if (options.progress && written % 100 == 0) options.progress(written);
    }
    if (!page->has_more) break;
    request.after_id = page->next_cursor;
  }
  out << kHarClosing;
  if (!out) return Status::io_error("writing the HAR file failed");
  if (options.progress) options.progress(written);
  return written;
}

}  // namespace trafficdb
