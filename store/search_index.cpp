#include "store/search_index.h"

#include <SQLiteCpp/Statement.h>

#include "store/search_index_merge.h"

namespace trafficdb {

std::string indexed_body_text_sql() {
  return "CAST(substr(data, 1, " + std::to_string(kMaxIndexedBodyBytes) + ") AS TEXT)";
}

namespace {

// One full-text index: where its rows come from and how they are indexed.
struct IndexSource {
  const char* name;    // search_state.name, and the FTS table
  const char* table;   // whose ids the index follows
  std::string insert;  // the rows with ?1 < id <= ?2
};

const IndexSource kSources[] = {
    // Text bodies only, their first kMaxIndexedBodyBytes bytes.
    {"bodies_fts", "bodies",
     "INSERT INTO bodies_fts(rowid, text) SELECT id, " + indexed_body_text_sql() +
         " FROM bodies WHERE id > ?1 AND id <= ?2 AND is_text"},
    {"urls_fts", "exchanges", "INSERT INTO urls_fts(rowid, url) SELECT id, url FROM exchanges WHERE id > ?1 AND id <= ?2"},
};

// Indexes the next `limit` rows of `source` (by id; those not indexed, such
// as binary bodies, count too) and moves its position to the last of them:
// a row is indexed once, whatever mix of rows the batch holds. True when
// more are left.
bool index_next(SQLite::Database& db, const IndexSource& source, std::int64_t limit) {
  const std::string table = source.table;
  SQLite::Statement window(db, "SELECT position, (SELECT max(id) FROM (SELECT id FROM " + table +
                                   " WHERE id > position ORDER BY id LIMIT ?2)) FROM search_state WHERE name = ?1");
  window.bind(1, source.name);
  window.bind(2, limit);
  if (!window.executeStep() || window.getColumn(1).isNull()) return false;
  const std::int64_t from = window.getColumn(0).getInt64(), to = window.getColumn(1).getInt64();
  window.reset();
  SQLite::Statement insert(db, source.insert);
  insert.bind(1, from);
  insert.bind(2, to);
  insert.exec();
  SQLite::Statement position(db, "UPDATE search_state SET position = ?1 WHERE name = ?2");
  position.bind(1, to);
  position.bind(2, source.name);
  position.exec();
  SQLite::Statement more(db, "SELECT EXISTS(SELECT 1 FROM " + table +
                                 " WHERE id > (SELECT position FROM search_state WHERE name = ?1))");
  more.bind(1, source.name);
  more.executeStep();
  return more.getColumn(0).getInt() != 0;
}

}  // namespace

Status index_search_batch(SQLite::Database& db, std::size_t max_rows, bool& remaining, bool* left_for_merge) {
  remaining = false;
  if (left_for_merge) *left_for_merge = false;
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      for (const IndexSource& source : kSources) {
        // A pruner is merging it (store/search_index_merge.h): its rows wait, searches scan them.
        if (!index_may_grow(db, source.name)) {
          if (left_for_merge) *left_for_merge = true;
          continue;
        }
        remaining = index_next(db, source, static_cast<std::int64_t>(max_rows)) || remaining;
      }
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("search index update failed: ") + e.what());
  }
}

Result<SearchIndexLag> search_index_lag(SQLite::Database& db) {
  try {
    SQLite::Statement st(db,
                         "SELECT (SELECT coalesce(max(id), 0) FROM exchanges) - "
                         "       (SELECT position FROM search_state WHERE name = 'urls_fts'), "
                         "       (SELECT coalesce(max(id), 0) FROM bodies) - "
                         "       (SELECT position FROM search_state WHERE name = 'bodies_fts')");
    SearchIndexLag lag;
    if (st.executeStep()) {
      lag.exchanges = st.getColumn(0).getInt64();
      lag.bodies = st.getColumn(1).getInt64();
    }
    return lag;
  } catch (const SQLite::Exception& e) {
    return Status::error(std::string("cannot read the search index state: ") + e.what());
  }
}

}  // namespace trafficdb
