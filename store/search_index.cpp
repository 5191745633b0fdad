#include "store/search_index.h"

#include <SQLiteCpp/Statement.h>

namespace trafficdb {

Status index_search_batch(SQLite::Database& db, std::size_t max_rows, bool& remaining) {
  remaining = false;
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      const auto limit = static_cast<std::int64_t>(max_rows);
      // Bodies: text only, first kMaxIndexedBodyBytes bytes.
      SQLite::Statement bodies(db,
                               "INSERT INTO bodies_fts(rowid, text) "
                               "SELECT id, CAST(substr(data, 1, ?2) AS TEXT) FROM bodies "
                               "WHERE id > (SELECT position FROM search_state WHERE name = 'bodies_fts') AND is_text "
                               "ORDER BY id LIMIT ?1");
      bodies.bind(1, limit);
      bodies.bind(2, static_cast<std::int64_t>(kMaxIndexedBodyBytes));
      bodies.exec();
      // The position moves past non-text bodies too.
      SQLite::Statement body_position(db,
                                      "UPDATE search_state SET position = coalesce((SELECT max(id) FROM ("
                                      "SELECT id FROM bodies WHERE id > position ORDER BY id LIMIT ?1)), position) "
                                      "WHERE name = 'bodies_fts'");
      body_position.bind(1, limit);
      body_position.exec();

      SQLite::Statement urls(db,
                             "INSERT INTO urls_fts(rowid, url) SELECT id, url FROM exchanges "
                             "WHERE id > (SELECT position FROM search_state WHERE name = 'urls_fts') "
                             "ORDER BY id LIMIT ?1");
      urls.bind(1, limit);
      urls.exec();
      SQLite::Statement url_position(db,
                                     "UPDATE search_state SET position = coalesce((SELECT max(id) FROM ("
                                     "SELECT id FROM exchanges WHERE id > position ORDER BY id LIMIT ?1)), position) "
                                     "WHERE name = 'urls_fts'");
      url_position.bind(1, limit);
      url_position.exec();

      remaining = db.execAndGet("SELECT EXISTS(SELECT 1 FROM bodies WHERE id > (SELECT position FROM search_state "
                                "WHERE name = 'bodies_fts')) OR EXISTS(SELECT 1 FROM exchanges WHERE id > "
                                "(SELECT position FROM search_state WHERE name = 'urls_fts'))")
                      .getInt() != 0;
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

}  // namespace trafficdb
