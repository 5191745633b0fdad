// Loading one stored exchange back into the Exchange model (headers,
// bodies, timings, WebSocket messages), for detail views, HAR export and
// curl. Bodies come back as stored (cut at the store's body limit, if they were).
#pragma once

#include <cstdint>
#include <optional>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "model/exchange.h"

namespace trafficdb {

struct StoredExchange {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::optional<double> duration_ms;
  bool req_body_is_text = false;
  bool resp_body_is_text = false;
  std::int64_t websocket_message_count = 0;
  Exchange exchange;  // bodies' `data` as stored; `size` the full decoded size
};

// nullopt when there is no exchange with that id. At most
// `max_websocket_messages` messages are loaded (the count says how many
// exist), each with at most 64 KiB of its payload (its size says the rest).
Result<std::optional<StoredExchange>> load_exchange(SQLite::Database& db, std::int64_t id,
                                                     std::size_t max_websocket_messages = 1000);

}  // namespace trafficdb
