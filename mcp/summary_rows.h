// Pages of exchange summaries as tools return them in structuredContent:
// rows of values under one `columns` list instead of an object per
// exchange, which halves a page's bytes (docs/mcp.md, "Pages"). The rows
// reach the client once: in the text content, and in structuredContent only
// when the call asks for them there (`structured: true`). `columns`
// lists the summary columns that some row of the page has a value in (a
// column left out is null in every row); a row has a value per listed
// column, null where its exchange has none.
#pragma once

#include <nlohmann/json.hpp>

#include "mcp/tool_arguments.h"
#include "query/exchange_page.h"

namespace trafficdb::mcp {

// Every summary column, in order: id, session_id, started_at_us
// (microseconds since the epoch, UTC), method, host, path, query, status, duration_ms, req_body_size,
// resp_body_size, req_content_type, resp_content_type, error.
const nlohmann::json& summary_columns();

// One exchange as a row of all of summary_columns() (query strings redacted).
nlohmann::json summary_row(const ExchangeSummary& summary);

// {columns, rows, next_cursor, has_more}: next_cursor is null when there is
// nothing more now.
nlohmann::json summary_page_json(const ExchangePage& page);

// The `structured` argument of a page tool: rows in structuredContent too.
ParamSpec structured_rows_param();

// The output schema of such a page; with_total adds total and total_capped.
nlohmann::json summary_page_schema(bool with_total);

// The row `index` of a page as an object with every column (null where the
// page left it out), for renderings.
nlohmann::json summary_row_object(const nlohmann::json& page, std::size_t index);

}  // namespace trafficdb::mcp
