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
  static const json columns = {"id",     "session_id",  "started_at",    "method",        "host",
                               "path",   "query",       "status",        "duration_ms",   "req_body_size",
                               "resp_body_size", "req_content_type", "resp_content_type", "error"};
  return columns;
}

json summary_row(const ExchangeSummary& s) {
  return json::array({s.id, s.session_id, s.started_at ? json(format_iso8601(*s.started_at)) : json(nullptr),
                      s.method, s.host, s.path, s.query ? json(redact_query_string(*s.query)) : json(nullptr),
                      value_or_null(s.status),
                      s.duration_ms ? json(std::round(*s.duration_ms * 1000) / 1000) : json(nullptr),
                      value_or_null(s.req_body_size), value_or_null(s.resp_body_size),
                      text_or_null(s.req_content_type), text_or_null(s.resp_content_type), text_or_null(s.error)});
}

json summary_page_json(const ExchangePage& page) {
  json rows = json::array();
  for (const ExchangeSummary& s : page.items) rows.push_back(summary_row(s));
  return {{"columns", summary_columns()},
          {"rows", std::move(rows)},
          {"next_cursor", page.has_more && page.next_cursor ? json(*page.next_cursor) : json(nullptr)},
          {"has_more", page.has_more}};
}

json summary_page_schema(bool with_total) {
  json props = {
      {"columns",
       {{"type", "array"},
        {"items", {{"type", "string"}}},
        {"description", "The meaning of each row's values, in order: " + summary_columns().dump()}}},
      {"rows",
       {{"type", "array"},
        {"description",
         "One row per exchange, oldest first (newest first with newest_first): id, session_id, started_at "
         "(ISO-8601 UTC), method, host, path, query (redacted), status, duration_ms, req_body_size, "
         "resp_body_size (decoded bytes), req_content_type, resp_content_type, error; null where none"},
        {"items",
         {{"type", "array"},
          {"minItems", summary_columns().size()},
          {"maxItems", summary_columns().size()}}}}},
      {"next_cursor", {{"type", nullable("integer")}, {"description", "Pass as cursor for the next page"}}},
      {"has_more", {{"type", "boolean"}}}};
  if (with_total) {
    props["total"] = {{"type", nullable("integer")}, {"description", "How many match (null when not counted)"}};
    props["total_capped"] = {{"type", "boolean"}, {"description", "total stopped counting at 10000"}};
  }
  return {{"type", "object"}, {"properties", props}, {"required", {"columns", "rows", "next_cursor", "has_more"}}};
}

json summary_row_object(const json& page, std::size_t index) {
  const json& columns = page.at("columns");
  const json& row = page.at("rows").at(index);
  json out = json::object();
  for (std::size_t i = 0; i < columns.size() && i < row.size(); ++i) out[columns[i].get<std::string>()] = row[i];
  return out;
}

}  // namespace trafficdb::mcp
