// Stores for tests, written by the real Writer the way an import writes
// them: each call adds one imported session, and the search indexes are
// left behind (no idle indexing) unless asked for.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/exchange.h"

namespace trafficdb::test {

// Adds a session holding `exchanges` to the store at `path` (made if
// needed) and returns its id; `indexed` brings the search indexes up to
// date when the writer closes. Fails the test on any error.
std::int64_t write_imported_session(const std::string& path, std::vector<Exchange> exchanges,
                                    bool indexed = false);

}  // namespace trafficdb::test
