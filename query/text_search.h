// Substring search over URLs and bodies that uses the trigram full-text
// indexes (bodies_fts, urls_fts) for the rows they cover and scans only the
// rows past search_state's position, so a search sees rows not yet indexed
// without scanning the whole table. Case-insensitive. Terms shorter than 3
// characters cannot use a trigram index and scan.
#pragma once

#include <functional>
#include <string>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "query/exchange_filter.h"
#include "store/search_index.h"

namespace trafficdb {

// Binds a parameter and returns its placeholder ("?3").
using BindParam = std::function<std::string(SqlParam)>;

// A condition over `e` (exchanges) true when e.url contains `text`.
std::string url_search_condition(const std::string& text, const BindParam& bind);

// A condition over `e` true when its request or response body contains `text`.
// by_row: SQLite walks the exchanges (in the order the query asks) and
// checks each against the matching bodies; otherwise it looks the exchanges
// up from each matching body. See body_search_by_row.
std::string body_search_condition(const std::string& text, const BindParam& bind, bool by_row = false);

// Whether a search for `text` in bodies should walk the rows: when at least
// kBodySearchByRowMatches indexed bodies contain it, a page of the first or
// latest matches is found after few rows, while looking up every match and
// sorting them costs in proportion to all of them (3x the time for a word in
// one body in ten, at a million exchanges). A probe of the index that stops
// at that many matches.
inline constexpr int kBodySearchByRowMatches = 2000;
Result<bool> body_search_by_row(SQLite::Database& db, const std::string& text);

// Whether a trigram index can match `text` (three characters or more).
bool trigram_indexable(const std::string& text);

// How far the search indexes are behind the rows (store/search_index.h):
// searches see every row either way, but scan those not indexed yet.
Result<SearchIndexLag> text_search_lag(SQLite::Database& db);

// `text` as an FTS5 phrase: "..." with inner quotes doubled.
std::string fts5_phrase(const std::string& text);

}  // namespace trafficdb
