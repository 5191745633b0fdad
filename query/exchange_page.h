// Pages of exchange summaries: a filter, a cursor, a limit.
//
// Pages are ordered by id, the cursor every reader shares: ascending after
// `after_id` (oldest first, for following a capture), or descending before
// `before_id` (newest first). Because ids only grow and rows are written
// once, paging never skips or repeats a row even while a recorder inserts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "query/exchange_filter.h"

namespace trafficdb {

// What a list shows of one exchange.
struct ExchangeSummary {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::optional<Micros> started_at;
  std::string method;
  std::string host;
  std::string path;
  std::optional<std::string> query;
  std::optional<int> status;
  std::optional<double> duration_ms;
  std::optional<std::int64_t> req_body_size;
  std::optional<std::int64_t> resp_body_size;
  std::string req_content_type;
  std::string resp_content_type;
  std::string error;
};

struct PageRequest {
  ExchangeFilter filter;
  std::optional<std::int64_t> after_id;   // ascending from here (exclusive)
  std::optional<std::int64_t> before_id;  // descending from here (exclusive)
  bool newest_first = false;
  std::size_t limit = 50;
  // A filter no index serves can scan millions of rows: stopped after this
  // long (or when *cancel turns true) with an error that says so.
  std::chrono::milliseconds time_limit{30000};
  const std::atomic<bool>* cancel = nullptr;
};

struct ExchangePage {
  std::vector<ExchangeSummary> items;
  // Where the next page starts: pass as after_id (ascending) or before_id
  // (newest first). Ascending pages always have one, so a caller can poll
  // for new rows; a newest-first page has none once the oldest row is reached.
  std::optional<std::int64_t> next_cursor;
  bool has_more = false;  // more rows match now, past this page
};

Result<ExchangePage> find_exchanges(SQLite::Database& db, const PageRequest& request);

// Counts the rows matching `filter`, stopping at `cap` (then *capped is set).
Result<std::int64_t> count_exchanges(SQLite::Database& db, const ExchangeFilter& filter, std::int64_t cap,
                                     bool* capped);

// Compact JSON: absent values left out, query's query string as "query".
nlohmann::json summary_to_json(const ExchangeSummary& summary, bool redact_query);

}  // namespace trafficdb
