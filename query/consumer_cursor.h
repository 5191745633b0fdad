// Named consumers: `read` returns the next page for a consumer and moves its
// cursor (the cursors table) in the same transaction, so two readers sharing
// a consumer name never get the same row, each consumer sees every row once,
// and a restart resumes where it stopped. `peek` is find_exchanges from a
// cursor, which moves nothing.
#pragma once

#include <cstdint>
#include <string>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "query/exchange_page.h"

namespace trafficdb {

// Needs a read-write connection. session_id 0 follows all sessions. Rows
// that do not match `filter` are passed over (the cursor moves past them).
Result<ExchangePage> read_for_consumer(SQLite::Database& db, const std::string& consumer, std::int64_t session_id,
                                       const ExchangeFilter& filter, std::size_t limit);

// The consumer's position (0 when it has none yet).
Result<std::int64_t> consumer_position(SQLite::Database& db, const std::string& consumer, std::int64_t session_id);

}  // namespace trafficdb
