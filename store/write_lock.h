// Taking SQLite's write lock when another connection may hold it longer
// than the busy timeout (an upgrade, a large import's batch, a sqlite3 shell).
#pragma once

#include <chrono>
#include <functional>

#include <SQLiteCpp/Database.h>

namespace trafficdb {

// Whether SQLite refused because another connection holds a lock.
bool is_busy(const SQLite::Exception& e);

// BEGIN IMMEDIATE, asked again while another connection holds the write
// lock past the connection's busy timeout, until `give_up`. `on_first_wait`
// (if set) is called once, when it first has to ask again. Throws the last
// SQLite::Exception when it is not "busy" or `give_up` has passed.
void begin_immediate(SQLite::Database& db, std::chrono::steady_clock::time_point give_up,
                     const std::function<void()>& on_first_wait = {});

}  // namespace trafficdb
