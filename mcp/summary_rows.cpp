#include "mcp/summary_rows.h"

#include <cmath>

#include "query/redaction.h"

namespace trafficdb::mcp {
namespace {

using json = nlohmann::json;

json nullable(const char* type) { return json::array({type, "null"}); }

template <typename T>
json value_or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

}  // namespace

const json& summary_columns() {
  static const json columns = {"id",     "session_id",  "started_at_us", "method",        "host",
                               "path",   "query",       "status",        "duration_ms",   "req_body_size",
                               "resp_body_size", "req_content_type", "resp_content_type", "error"};
  return columns;
}

json summary_row(const ExchangeSummary& s) {
  return json::array({s.id, s.session_id, value_or_null(s.started_at),
                      s.method, s.host, s.path, s.query ? json(redact_query_string(*s.query)) : json(nullptr),
                      value_or_null(s.status),
                      s.duration_ms ? json(std::round(*s.duration_ms * 1000) / 1000) : json(nullptr),
                      value_or_null(s.req_body_size), value_or_null(s.resp_body_size),
                      text_or_null(s.req_content_type), text_or_null(s.resp_content_type), text_or_null(s.error)});
}

json summary_page_json(const ExchangePage& page) {
  const json& all = summary_columns();
  json full_rows = json::array();
  for (const ExchangeSummary& s : page.items) full_rows.push_back(summary_row(s));
  // Only the columns some row has a value in (id, session_id, method, host
  // and path always).
  std::vector<std::size_t> kept;
  for (std::size_t c = 0; c < all.size(); ++c) {
    bool any = c == 0 || c == 1 || c == 3 || c == 4 || c == 5;
    for (const json& row : full_rows) any = any || !row[c].is_null();
    if (any) kept.push_back(c);
  }
  json columns = json::array();
  for (std::size_t c : kept) columns.push_back(all[c]);
  json rows = json::array();
  for (const json& full : full_rows) {
    json row = json::array();
    for (std::size_t c : kept) row.push_back(full[c]);
    rows.push_back(std::move(row));
  }
  return {{"columns", std::move(columns)},
          {"rows", std::move(rows)},
          {"next_cursor", page.has_more && page.next_cursor ? json(*page.next_cursor) : json(nullptr)},
          {"has_more", page.has_more}};
}

ParamSpec structured_rows_param() {
  return {"structured", ParamSpec::Type::boolean,
          "Also put the rows in structuredContent as {columns, rows}, for programs. By default they are only in "
          "the text content, one line per exchange, so a page costs half the bytes",
          false};
}

json summary_page_schema(bool with_total) {
  json props = {
      {"columns",
       {{"type", "array"},
        {"items", {{"type", "string"}, {"enum", summary_columns()}}},
        {"description",
         "Only with structured: true. What each row's values are, in order: the columns of " + summary_columns().dump() +
             " that some exchange of this page has a value in (a column left out is null for all of them). "
             "started_at_us: microseconds since the epoch (UTC); sizes: decoded body bytes; query: redacted"}}},
      {"rows",
       {{"type", "array"},
        {"description", "Only with structured: true. One row per exchange (ascending ids; descending with "
                        "newest_first), a value per column, null where the exchange has none"},
        {"items", {{"type", "array"}}}}},
      {"next_cursor", {{"type", nullable("integer")}, {"description", "Pass as cursor for the next page"}}},
      {"has_more", {{"type", "boolean"}}}};
  if (with_total) {
    props["total"] = {{"type", nullable("integer")}, {"description", "How many match (null when not counted)"}};
    props["total_capped"] = {{"type", "boolean"}, {"description", "total stopped counting at 10000"}};
    props["search_index_behind"] = {
        {"type", "object"},
        {"description",
         "Present when a body or URL search ran before the search indexes caught up with the rows (about how many "
         "exchanges and bodies are not indexed yet): the result is complete, it scanned them, but slower"},
        {"properties", {{"exchanges", {{"type", "integer"}}}, {"bodies", {{"type", "integer"}}}}}};
  }
  return {{"type", "object"}, {"properties", props}, {"required", {"next_cursor", "has_more"}}};
}

json summary_row_object(const json& page, std::size_t index) {
  const json& columns = page.at("columns");
  const json& row = page.at("rows").at(index);
  json out = json::object();
  for (const json& c : summary_columns()) out[c.get<std::string>()] = nullptr;
  for (std::size_t i = 0; i < columns.size() && i < row.size(); ++i) out[columns[i].get<std::string>()] = row[i];
  return out;
}

}  // namespace trafficdb::mcp
