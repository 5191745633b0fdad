// BatchTransaction: writes a batch of exchanges in one transaction on one
// connection — their rows (store/exchange_row.h), their bodies once per
// content hash (cut at max_body_bytes), their WebSocket messages, and the
// sessions' counters — with statements prepared once. The Writer's thread
// owns one; nothing else writes exchanges.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "model/exchange.h"
#include "store/content_hash.h"
#include "store/exchange_row.h"

namespace trafficdb {

// What the store keeps of a body besides its bytes, worked out before the
// batch's transaction, by the thread that queues the exchange: a writer
// storing many distinct bodies is the slower of the two threads (so is the
// row's text, below).
struct StoredBodyKey {
  ContentHash hash{};  // of the bytes kept (cut at max_body_bytes)
  bool is_text = false;
};

struct QueuedExchange {
  std::int64_t session_id = 0;
  Exchange exchange;
  std::size_t bytes = 0;  // what it holds in memory, roughly
  std::optional<StoredBodyKey> request_body, response_body;  // nullopt: no body to store
  ExchangeRowText row_text;
};

// Makes the item the writer's thread stores: works out its body keys (none
// for a body that is empty or was not captured) and its row's text.
QueuedExchange prepare_queued_exchange(std::int64_t session_id, Exchange&& exchange, std::size_t bytes,
                                       std::uint64_t max_body_bytes);

struct BatchCounts {
  std::uint64_t bodies_stored = 0;  // new rows in bodies
  std::uint64_t bodies_reused = 0;  // bodies found already stored
};

class BatchTransaction {
 public:
  // Prepares the statements; throws SQLite::Exception.
  BatchTransaction(SQLite::Database& db, std::uint64_t max_body_bytes);
  ~BatchTransaction();
  BatchTransaction(const BatchTransaction&) = delete;
  BatchTransaction& operator=(const BatchTransaction&) = delete;

  // Writes all of `items` in one IMMEDIATE transaction, or nothing: on a
  // failure the transaction is rolled back and the SQLite::Exception thrown.
  BatchCounts write(const std::vector<QueuedExchange>& items);

 private:
  struct SessionTotals {
    std::uint64_t count = 0;
    std::uint64_t errors = 0;
    std::uint64_t no_response = 0;
    std::uint64_t bodies_cut = 0;
    std::optional<Micros> first, last;
  };

  void reset_all();
  std::optional<std::int64_t> store_body(const Body& body, const StoredBodyKey& key,
                                         std::uint64_t& stored, std::uint64_t& reused);
  void insert(const QueuedExchange& item, std::uint64_t& stored, std::uint64_t& reused);
  void insert_messages(std::int64_t exchange_id, const std::vector<WebSocketMessage>& messages);

  SQLite::Database& db_;
  const std::uint64_t max_body_bytes_;
  SQLite::Statement begin_, commit_, find_body_, insert_body_, insert_exchange_, insert_message_, update_session_;
  std::map<std::int64_t, SessionTotals> totals_;
};

}  // namespace trafficdb
