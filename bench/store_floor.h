// store_floor: what SQLite alone takes to write what an import stored — the
// floor under any importer that keeps its rows in SQLite.
//
// Copies the sessions, bodies, exchanges and WebSocket messages of a
// trafficdb database into an empty file with the same schema, page size and
// settings as trafficdb's writer (WAL, synchronous NORMAL, 64 MiB cache), in
// one transaction of INSERT ... SELECT, then closes it (the close
// checkpoints, as the importer's does). No parsing, no hashing, no queue:
// only SQLite's inserts, index upkeep and writes. Throws SQLite::Exception.
#pragma once

#include <string>

namespace bench {

// Seconds to write `source`'s rows into a new database at `target` (which
// must not exist; it is left there for the caller to remove).
double store_floor_seconds(const std::string& source, const std::string& target);

}  // namespace bench
