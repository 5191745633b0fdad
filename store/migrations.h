// Schema migrations: migrations/NNNN_name.sql, compiled into the binary.
//
// The schema version is PRAGMA user_version; PRAGMA application_id marks the
// file as trafficdb's. Each migration runs in its own IMMEDIATE transaction
// together with the user_version bump, so a crash leaves the database at a
// whole version, and two processes opening a new file at once apply each
// migration exactly once. Migrations run with foreign keys off (so one may
// rebuild a table the SQLite way); one that leaves more rows referring to
// missing rows (PRAGMA foreign_key_check) than there were is rolled back.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

struct Migration {
  int version;       // 1, 2, 3, ... in order, no gaps
  const char* name;  // file name, for messages
  const char* sql;
};

// The migrations built into this binary (generated from migrations/*.sql).
const std::vector<Migration>& embedded_migrations();

inline constexpr int kApplicationId = 0x54524442;  // 'TRDB'

int latest_schema_version();

// How migrate() waits and what it tells a person while it works.
struct MigrateOptions {
  // Called with a line for a person: before upgrading a database that
  // already has a schema (not a new file), once when it waits for another
  // process's write lock, and when the upgrade is done with its duration.
  std::function<void(const std::string&)> notice;
  // A migration of a large store holds the write lock for a while (seconds
  // at a million exchanges), longer than a connection's busy timeout: a
  // process opening the file meanwhile keeps asking for the lock this long
  // before it gives up.
  std::chrono::milliseconds lock_wait{std::chrono::minutes(10)};
};

// Brings `db` to the latest version. Refuses (without changing anything) a
// database of another program, or one whose version is newer than this
// binary knows.
Status migrate(SQLite::Database& db, const std::vector<Migration>& migrations = embedded_migrations(),
               const MigrateOptions& options = {});

// Ok for an empty file or one marked as trafficdb's; refuses another
// program's database. Reads only.
Status check_database_owner(SQLite::Database& db);

// Refuses (Status::corrupt, "written by a newer trafficdb; upgrade
// trafficdb") a file whose schema version is newer than this binary's
// latest; ok for any other. Reads only: call it before changing anything
// in a file (even its journal mode).
Status refuse_newer_schema(SQLite::Database& db);

// For read-only connections: ok when `db` is a trafficdb database at exactly
// the latest version; otherwise says what is wrong (other program, older,
// newer). `older` is set when only an upgrade is needed.
Status check_schema(SQLite::Database& db, bool* older = nullptr);

}  // namespace trafficdb
