// What every command shares: the database path from --db / $TRAFFICDB.
#pragma once

#include <cstdlib>
#include <string>

namespace trafficdb {

struct CliContext {
  std::string db_option;  // --db, "" when not given

  // --db, else $TRAFFICDB, else ./traffic.db.
  std::string db_path() const {
    if (!db_option.empty()) return db_option;
    if (const char* env = std::getenv("TRAFFICDB"); env && *env) return env;
    return "traffic.db";
  }
};

}  // namespace trafficdb
