#include "store/migrations.h"

#include <SQLiteCpp/Statement.h>

#include <cstdio>
#include <optional>
#include <string>

#include "store/path_template_function.h"
#include "store/write_lock.h"

namespace trafficdb {
namespace {

int pragma_int(SQLite::Database& db, const char* pragma) {
  return db.execAndGet(std::string("PRAGMA ") + pragma).getInt();
}

std::string newer_message(int found, int latest) {
  return "the database's schema version " + std::to_string(found) + " is newer than this trafficdb knows (" +
         std::to_string(latest) + "): it was written by a newer trafficdb; upgrade trafficdb to use it";
}

// Foreign keys off while migrations run, as SQLite asks for changing a
// table by rebuilding it (a DROP TABLE would otherwise delete, by cascade,
// the rows that refer to it); restored as it was afterwards. The pragma
// has no effect inside a transaction, so this wraps them all.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(SQLite::Database& db) : db_(db), was_on_(pragma_int(db, "foreign_keys") != 0) {
    if (was_on_) db_.exec("PRAGMA foreign_keys = OFF");
  }
  ~ForeignKeysOff() {
    try {
      if (was_on_) db_.exec("PRAGMA foreign_keys = ON");
    } catch (const SQLite::Exception&) {
    }
  }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

 private:
  SQLite::Database& db_;
  bool was_on_;
};

// Rows referring to a row that is not there. Normally none, but a file
// written with foreign keys off (the sqlite3 shell's default) may have some;
// a migration must not add to them.
std::int64_t foreign_key_violations(SQLite::Database& db) {
  return db.execAndGet("SELECT count(*) FROM pragma_foreign_key_check").getInt64();
}

using Clock = std::chrono::steady_clock;

std::string seconds_text(Clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", std::chrono::duration<double>(d).count());
  return text;
}

}  // namespace

Status check_database_owner(SQLite::Database& db) {
  // One statement, so both are read from the same snapshot even while
  // another process creates the schema.
  SQLite::Statement st(db,
                       "SELECT (SELECT application_id FROM pragma_application_id), "
                       "(SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%')");
  st.executeStep();
  const int app_id = st.getColumn(0).getInt();
  const int tables = st.getColumn(1).getInt();
  if (app_id != 0 && app_id != kApplicationId)
    return Status::invalid_input("not a trafficdb database (its application_id is " + std::to_string(app_id) + ")");
  if (app_id == 0 && tables > 0)
    return Status::invalid_input("not a trafficdb database: it already holds tables of another program");
  return Status::ok();
}

Status refuse_newer_schema(SQLite::Database& db) {
  try {
    const int found = pragma_int(db, "user_version");
    const int latest = latest_schema_version();
    return found > latest ? Status::corrupt(newer_message(found, latest)) : Status::ok();
  } catch (const SQLite::Exception& e) {
    return Status::io_error(std::string("cannot read the database: ") + e.what());
  }
}

int latest_schema_version() { return embedded_migrations().empty() ? 0 : embedded_migrations().back().version; }

Status check_schema(SQLite::Database& db, bool* older) {
  if (older) *older = false;
  try {
    if (Status s = check_database_owner(db); !s.is_ok()) return s;
    if (pragma_int(db, "application_id") == 0)
      return Status::not_found("an empty database, not yet a trafficdb one (import or record something into it first)");
    const int version = pragma_int(db, "user_version");
    const int latest = latest_schema_version();
    if (version > latest) return Status::corrupt(newer_message(version, latest));
    if (version < latest) {
      if (older) *older = true;
      return Status::error("the database's schema version " + std::to_string(version) +
                           " is older than this trafficdb's " + std::to_string(latest));
    }
    return Status::ok();
  } catch (const SQLite::Exception& e) {
    return Status::io_error(std::string("cannot read the database: ") + e.what());
  }
}

Status migrate(SQLite::Database& db, const std::vector<Migration>& migrations, const MigrateOptions& options) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  try {
    if (Status s = check_database_owner(db); !s.is_ok()) return s;
    if (pragma_int(db, "user_version") > latest)
      return Status::corrupt(newer_message(pragma_int(db, "user_version"), latest));
  } catch (const SQLite::Exception& e) {
    return Status::io_error(std::string("cannot read the database: ") + e.what());
  }
  // Migrations may fill columns derived by it (exchanges.path_template).
  if (Status s = register_path_template_function(db); !s.is_ok()) return s;

  std::optional<ForeignKeysOff> foreign_keys_off;
  try {
    foreign_keys_off.emplace(db);
  } catch (const SQLite::Exception& e) {
    return Status::io_error(std::string("cannot read the database: ") + e.what());
  }
  const Clock::time_point give_up = Clock::now() + options.lock_wait;
  bool said_waiting = false;
  std::optional<int> first_applied_over;
  std::optional<Clock::time_point> upgrade_started;
  for (const Migration& m : migrations) {
    try {
      begin_immediate(db, give_up, [&] {
        if (!said_waiting && options.notice)
          options.notice("waiting for the write lock another process holds (it may be upgrading this database)");
        said_waiting = true;
      });
    } catch (const SQLite::Exception& e) {
      return Status::error(std::string("cannot start migration ") + m.name + ": " + e.what());
    }
    try {
      // Re-read inside the write lock: another process may have got here first.
      const int version = pragma_int(db, "user_version");
      if (version > latest) {
        db.exec("ROLLBACK");
        return Status::corrupt(newer_message(version, latest));
      }
      if (version >= m.version) {
        db.exec("COMMIT");
        continue;
      }
      if (Status s = check_database_owner(db); !s.is_ok()) {
        db.exec("ROLLBACK");
        return s;
      }
      // The version before the first migration applied here: 0 is a new file, not an upgrade.
      if (!first_applied_over) first_applied_over = version;
      if (*first_applied_over > 0 && !upgrade_started) {
        upgrade_started = Clock::now();
        if (options.notice)
          options.notice("upgrading the database from schema version " + std::to_string(version) + " to " +
                         std::to_string(latest) + " (once; on a large store this takes a while, and other "
                         "trafficdb processes wait for it)");
      }
      const std::int64_t violations_before = foreign_key_violations(db);
      db.exec(m.sql);
      if (foreign_key_violations(db) > violations_before)
        throw SQLite::Exception(std::string("it left rows referring to rows that are not there"));
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      db.exec("COMMIT");
    } catch (const SQLite::Exception& e) {
      try {
        db.exec("ROLLBACK");
      } catch (const SQLite::Exception&) {
      }
      return Status::error(std::string("migration ") + m.name + " failed: " + e.what());
    }
  }
  if (upgrade_started && options.notice)
    options.notice("upgraded to schema version " + std::to_string(latest) + " in " +
                   seconds_text(Clock::now() - *upgrade_started));
  return Status::ok();
}

}  // namespace trafficdb
