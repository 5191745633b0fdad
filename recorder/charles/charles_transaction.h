// One transaction of a Charles JSON session export (.chlsj, and the Web
// Interface's /session/export-json) as an Exchange.
//
// The format (see ../shared/notes/charles.md): numbers may be strings
// ("22284"); -1 means unknown; `body` is absent when empty, else
// {"text", "decoded"?} or {"encoding":"base64","encoded"}; `decoded: true`
// means the text is already decompressed although contentEncoding still
// names a coding; HTTP/2 entries may lack firstLine; CONNECT tunnels carry
// TLS records as bodies (not stored, sizes kept); WebSocket transactions
// carry the raw frames of each direction as bodies (decoded into messages).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "recorder/exchange.h"

namespace trafficdb {

struct CharlesConversion {
  std::optional<Exchange> exchange;  // nullopt: the transaction cannot be stored
  std::vector<std::string> fatal;    // why not
  std::vector<std::string> caveats;  // stored, but something was lost or odd
  bool complete = true;              // false: Charles was still working on it
};

struct CharlesConversionOptions {
  std::uint64_t max_body_bytes = 32u << 20;
};

CharlesConversion convert_charles_transaction(const nlohmann::json& transaction,
                                              const CharlesConversionOptions& options);

// True when Charles has finished with the transaction (COMPLETE, EXCEPTION or
// another final status), false while it is still being received.
bool charles_transaction_finished(const nlohmann::json& transaction);

// A key that names the transaction across polls of a live session: method,
// scheme, host, port, path, query, start time and client address and port.
// Identical transactions get the same key; the caller numbers repeats.
std::string charles_transaction_identity(const nlohmann::json& transaction);

}  // namespace trafficdb
