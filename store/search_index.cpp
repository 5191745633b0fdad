#include "store/search_index.h"

#include <SQLiteCpp/Statement.h>

namespace trafficdb {

namespace {

// One full-text index: where its rows come from and how they are indexed.
struct IndexSource {
  const char* name;    // search_state.name, and the FTS table
  const char* table;   // whose ids the index follows
  const char* insert;  // ?1: rows per batch; ?2, if used: bytes indexed per row
};

constexpr IndexSource kSources[] = {
    // Text bodies only, their first kMaxIndexedBodyBytes bytes.
    {"bodies_fts", "bodies",
     "INSERT INTO bodies_fts(rowid, text) SELECT id, CAST(substr(data, 1, ?2) AS TEXT) FROM bodies "
     "WHERE id > (SELECT position FROM search_state WHERE name = 'bodies_fts') AND is_text ORDER BY id LIMIT ?1"},
    {"urls_fts", "exchanges",
     "INSERT INTO urls_fts(rowid, url) SELECT id, url FROM exchanges "
     "WHERE id > (SELECT position FROM search_state WHERE name = 'urls_fts') ORDER BY id LIMIT ?1"},
};

// Indexes the next rows of `source` and moves its position past them
// (past rows not indexed, such as binary bodies, too). True when more are left.
bool index_next(SQLite::Database& db, const IndexSource& source, std::int64_t limit) {
  SQLite::Statement insert(db, source.insert);
  insert.bind(1, limit);
  if (insert.getBindParameterCount() >= 2) insert.bind(2, static_cast<std::int64_t>(kMaxIndexedBodyBytes));
  insert.exec();
  const std::string table = source.table;
  SQLite::Statement position(db, "UPDATE search_state SET position = coalesce((SELECT max(id) FROM (SELECT id FROM " +
                                     table + " WHERE id > position ORDER BY id LIMIT ?1)), position) WHERE name = ?2");
  position.bind(1, limit);
  position.bind(2, source.name);
  position.exec();
  SQLite::Statement more(db, "SELECT EXISTS(SELECT 1 FROM " + table +
                                 " WHERE id > (SELECT position FROM search_state WHERE name = ?1))");
  more.bind(1, source.name);
  more.executeStep();
  return more.getColumn(0).getInt() != 0;
}

}  // namespace

Status index_search_batch(SQLite::Database& db, std::size_t max_rows, bool& remaining) {
  remaining = false;
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      for (const IndexSource& source : kSources)
        remaining = index_next(db, source, static_cast<std::int64_t>(max_rows)) || remaining;
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
