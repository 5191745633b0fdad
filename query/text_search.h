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
std::string body_search_condition(const std::string& text, const BindParam& bind,
                                  BodySearchPlan plan = BodySearchPlan::lookup);

// The plan for a search for `text` in bodies: lookup below
// kBodySearchByRowMatches indexed matches; walk_bodies when those first
// matches lie among at most kBodySearchDenseSpan times as many bodies (one
// body in ten or more holds the word); walk_index otherwise. Texts the index
// cannot serve (under three characters) are scanned: lookup.
inline constexpr int kBodySearchByRowMatches = 2000;
inline constexpr int kBodySearchDenseSpan = 10;
Result<BodySearchPlan> plan_body_search(SQLite::Database& db, const std::string& text);

// Whether a trigram index can match `text` (three characters or more).
bool trigram_indexable(const std::string& text);

// How far the search indexes are behind the rows (store/search_index.h):
// searches see every row either way, but scan those not indexed yet.
Result<SearchIndexLag> text_search_lag(SQLite::Database& db);

// `text` as an FTS5 phrase: "..." with inner quotes doubled.
std::string fts5_phrase(const std::string& text);

}  // namespace trafficdb
