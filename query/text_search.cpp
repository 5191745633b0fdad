#include "query/text_search.h"

#include <SQLiteCpp/Statement.h>

#include "store/search_index.h"

namespace trafficdb {
bool trigram_indexable(const std::string& text) {
  if (text.find('\0') != std::string::npos) return false;  // FTS5 cannot take it
  std::size_t code_points = 0;
  for (const unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++code_points;
  return code_points >= 3;
}

std::string fts5_phrase(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string url_search_condition(const std::string& text, const BindParam& bind) {
  const std::string needle = bind(text);
  if (!trigram_indexable(text)) return "instr(lower(e.url), lower(" + needle + ")) > 0";
  // One IN list (index hits, then the unindexed tail) lets SQLite look the
  // rows up by id instead of walking the whole table.
  return "e.id IN (SELECT rowid FROM urls_fts WHERE urls_fts MATCH " + bind(fts5_phrase(text)) +
         " UNION ALL SELECT id FROM exchanges WHERE id > (SELECT position FROM search_state WHERE name = 'urls_fts') "
         "AND instr(lower(url), lower(" + needle + ")) > 0)";
}

std::string body_search_condition(const std::string& text, const BindParam& bind, BodySearchPlan plan) {
  const std::string needle = bind(text);
  const std::string contains = "b.is_text AND instr(lower(CAST(b.data AS TEXT)), lower(" + needle + ")) > 0";
  if (plan == BodySearchPlan::walk_bodies)
    return "EXISTS (SELECT 1 FROM bodies b WHERE b.id IN (e.req_body_id, e.resp_body_id) AND " + contains + ")";
  const std::string scan_bodies = "SELECT b.id FROM bodies b WHERE " + contains;
  std::string matching;
  if (trigram_indexable(text)) {
    // The index holds each body's first kMaxIndexedBodyBytes: longer bodies
    // are scanned too (bodies_large finds them).
    matching = "SELECT rowid FROM bodies_fts WHERE bodies_fts MATCH " + bind(fts5_phrase(text)) + " UNION ALL " +
               scan_bodies + " AND b.id > (SELECT position FROM search_state WHERE name = 'bodies_fts') UNION ALL " +
               scan_bodies + " AND b.size > " + std::to_string(kMaxIndexedBodyBytes) +
               " AND b.id <= (SELECT position FROM search_state WHERE name = 'bodies_fts')";
  } else {
    matching = scan_bodies;
  }
  // A unary + keeps SQLite from using the body-id indexes for the IN.
  const char* plus = plan == BodySearchPlan::walk_index ? "+" : "";
  return std::string(plus) + "e.req_body_id IN (" + matching + ") OR " + plus + "e.resp_body_id IN (" + matching + ")";
}

Result<BodySearchPlan> plan_body_search(SQLite::Database& db, const std::string& text) {
  if (!trigram_indexable(text)) return BodySearchPlan::lookup;
  try {
    // FTS5 gives matches in rowid order: the span of the first ones says how dense they are.
    SQLite::Statement st(db,
                         "SELECT count(*), coalesce(max(rowid), 0) - (SELECT coalesce(min(id), 0) FROM bodies) + 1 "
                         "FROM (SELECT rowid FROM bodies_fts WHERE bodies_fts MATCH ? LIMIT ?)");
    st.bind(1, fts5_phrase(text));
    st.bind(2, kBodySearchByRowMatches);
    st.executeStep();
    if (st.getColumn(0).getInt() < kBodySearchByRowMatches) return BodySearchPlan::lookup;
    const std::int64_t span = st.getColumn(1).getInt64();
    return span <= static_cast<std::int64_t>(kBodySearchByRowMatches) * kBodySearchDenseSpan
               ? BodySearchPlan::walk_bodies
               : BodySearchPlan::walk_index;
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("body search failed: ") + e.what());
  }
}

Result<SearchIndexLag> text_search_lag(SQLite::Database& db) { return search_index_lag(db); }

}  // namespace trafficdb
