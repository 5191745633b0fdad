// Upgrades: a store written at every earlier schema version (made with that
// version's migrations, then filled with rows in that version's shape) opens
// with the trafficdb binary, is migrated, keeps every row, and takes new
// imports; a store of a newer version is refused, byte for byte untouched.
#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/migrations.h"
#include "tests/test_support.h"

using namespace trafficdb;

namespace {

// Rows every schema version has columns for: two sessions, shared and
// distinct bodies, exchanges (one without a response), a consumer cursor,
// and from version 2 a WebSocket message.
void fill_version(SQLite::Database& db, int version) {
  db.exec("INSERT INTO sessions(id, name, source, status, started_at, stopped_at, exchange_count) VALUES "
          "(1, 'old capture', 'pcap', 'imported', 1700000000000000, 1700000001000000, 3), "
          "(2, 'old har', 'har', 'imported', 1700000002000000, 1700000003000000, 1)");
  db.exec("INSERT INTO bodies(id, hash, size, is_text, data) VALUES "
          "(1, x'01', 11, 1, '{\"a\":\"one\"}'), (2, x'02', 3, 0, x'00ff10')");
  db.exec("INSERT INTO exchanges(id, session_id, started_at, ended_at, duration_ms, method, scheme, host, port, path, "
          "query, url, http_version, status, req_headers, resp_headers, resp_content_type, resp_body_size, "
          "resp_body_id) VALUES "
          "(1, 1, 1700000000100000, 1700000000200000, 100.0, 'GET', 'https', 'api.example.com', 443, '/users/42', "
          "'x=1', 'https://api.example.com/users/42?x=1', 'HTTP/1.1', 200, '[[\"Host\",\"api.example.com\"]]', "
          "'[[\"Content-Type\",\"application/json\"]]', 'application/json', 11, 1), "
          "(2, 1, 1700000000300000, 1700000000400000, 100.0, 'GET', 'https', 'api.example.com', 443, '/img', "
          "NULL, 'https://api.example.com/img', 'HTTP/1.1', 200, '[]', '[]', 'image/png', 3, 2), "
          "(3, 1, 1700000000500000, NULL, NULL, 'POST', 'https', 'api.example.com', 443, '/login', NULL, "
          "'https://api.example.com/login', 'HTTP/1.1', NULL, '[]', NULL, NULL, NULL, NULL), "
          "(4, 2, 1700000002100000, 1700000002200000, 100.0, 'GET', 'http', 'cdn.example.com', 80, '/users/43', "
          "NULL, 'http://cdn.example.com/users/43', 'HTTP/1.1', 404, '[]', '[]', 'application/json', 11, 1)");
  db.exec("INSERT INTO cursors(consumer, session_id, position, updated_at) VALUES ('agent', 0, 2, 1700000005000000)");
  if (version >= 2)
    db.exec("INSERT INTO websocket_messages(exchange_id, seq, sender, opcode, at, size, is_text, payload) "
            "VALUES (1, 0, 'client', 1, 1700000000150000, 5, 1, 'hello')");
}

std::string rows_of(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement st(db, "SELECT group_concat(r, '|') FROM (" + sql + ")");
  st.executeStep();
  return st.getColumn(0).isNull() ? "" : st.getColumn(0).getString();
}

// What an upgrade must keep: the rows of the version-1 columns, and their counts.
std::string kept_rows(SQLite::Database& db) {
  return rows_of(db, "SELECT id || name || source || status || started_at || exchange_count AS r FROM sessions") +
         "\n" + rows_of(db, "SELECT id || hex(hash) || size || is_text || hex(data) AS r FROM bodies") + "\n" +
         rows_of(db,
                 "SELECT id || session_id || method || url || coalesce(status, '-') || req_headers || "
                 "coalesce(resp_headers, '-') || coalesce(resp_body_id, '-') || coalesce(duration_ms, '-') AS r "
                 "FROM exchanges ORDER BY id") +
         "\n" + rows_of(db, "SELECT consumer || session_id || position AS r FROM cursors");
}

}  // namespace

TEST_CASE("A store of every earlier schema version opens with this binary, migrated, every row kept",
          "[migrations][upgrade]") {
  const std::vector<Migration> all = embedded_migrations();
  REQUIRE(all.size() >= 2);
  for (std::size_t version = 1; version < all.size(); ++version) {
    DYNAMIC_SECTION("schema version " << version) {
      test::TempDir dir;
      const std::string path = dir.file("old.db");
      std::string before;
      {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("PRAGMA journal_mode = WAL");
        REQUIRE(migrate(db, std::vector<Migration>(all.begin(), all.begin() + static_cast<long>(version))).is_ok());
        REQUIRE(db.execAndGet("PRAGMA user_version").getInt() == static_cast<int>(version));
        fill_version(db, static_cast<int>(version));
        before = kept_rows(db);
      }

      // A reader opens it first: it migrates once, then reads.
      const test::CommandResult listed = test::run_trafficdb({"--db", path, "sessions"});
      INFO(listed.err);
      REQUIRE(listed.exit_code == 0);
      CHECK(listed.out.find("old capture") != std::string::npos);
      CHECK(listed.err.find("upgrading the database from schema version " + std::to_string(version) + " to " +
                            std::to_string(latest_schema_version())) != std::string::npos);
      CHECK(listed.err.find("upgraded to schema version " + std::to_string(latest_schema_version()) + " in ") !=
            std::string::npos);
      {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("PRAGMA user_version").getInt() == latest_schema_version());
        CHECK(kept_rows(db) == before);
        CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
        SQLite::Statement broken_links(db, "PRAGMA foreign_key_check");
        CHECK_FALSE(broken_links.executeStep());
      }
      // Queries and new imports work on it; ids go on after the old ones.
      const test::CommandResult found = test::run_trafficdb({"--db", path, "query", "--host", "api.example.com"});
      INFO(found.err);
      CHECK(found.exit_code == 0);
      CHECK(found.err.find("upgrad") == std::string::npos);
      CHECK(found.out.find("/users/42") != std::string::npos);
      const test::CommandResult imported = test::run_trafficdb(
          {"--db", path, "import", std::string(TRAFFICDB_SOURCE_DIR) + "/examples/sample.har"});
      INFO(imported.err);
      CHECK(imported.exit_code == 0);
      SQLite::Database db(path, SQLite::OPEN_READONLY);
      CHECK(db.execAndGet("SELECT min(id) FROM exchanges WHERE session_id > 2").getInt64() > 4);
      CHECK(db.execAndGet("SELECT count(*) FROM exchanges WHERE session_id <= 2").getInt() == 4);
    }
  }
}

TEST_CASE("A store of a newer schema version is refused with a clear error, byte for byte untouched",
          "[migrations][upgrade]") {
  test::TempDir dir;
  const std::string path = dir.file("newer.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    REQUIRE(migrate(db, embedded_migrations()).is_ok());
    fill_version(db, latest_schema_version());
    db.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
  }
  const std::string bytes = test::read_file(path);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--db", path, "sessions"},
        std::vector<std::string>{"--db", path, "import", std::string(TRAFFICDB_SOURCE_DIR) + "/examples/sample.har"},
        std::vector<std::string>{"--db", path, "query"}}) {
    const test::CommandResult r = test::run_trafficdb(args);
    INFO(args[2]);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("newer") != std::string::npos);
    CHECK(r.err.find("upgrade trafficdb") != std::string::npos);
  }
  CHECK(test::read_file(path) == bytes);
  CHECK_FALSE(std::filesystem::exists(path + "-wal"));
}
