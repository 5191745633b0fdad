// One transaction of a Charles JSON session export (.chlsj, and the Web
// Interface's /session/export-json) as an Exchange.
//
// The format (see ../shared/notes/charles.md): numbers may be strings
// ("22284"); -1 means unknown; `body` is absent when empty, else
// {"text", "decoded"?} or {"encoding":"base64","encoded"}; `decoded: true`
// means the text is already decompressed although contentEncoding still
// names a coding; HTTP/2 entries may lack firstLine. CONNECT tunnels carry
// TLS records as bodies: they are marked `tunnel` and their bytes are not
// stored (sizes are). WebSocket transactions carry the raw frames of each
// direction as bodies: they become websocket_messages.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "recorder/json_import_loop.h"

namespace trafficdb {

struct CharlesConversionOptions {
  std::uint64_t max_body_bytes = 32u << 20;
};

// Converts the transaction in `element` (its cut strings tell which bodies
// were cut while reading). A transaction Charles has not finished is
// converted too, with an error saying so; see charles_transaction_finished.
// source_key is "transaction:<index>"; a live recorder replaces it.
EntryConversion convert_charles_transaction(const JsonElement& element, const CharlesConversionOptions& options);

// True when Charles has finished with the transaction (COMPLETE, EXCEPTION,
// or an end time), false while it is still being sent or received.
bool charles_transaction_finished(const nlohmann::json& transaction);

// A text naming the transaction across polls of a live session: method,
// scheme, host, path, query, start time and client address and port (not
// the port: Charles reports -1 while in flight).
// Identical transactions give the same text; the caller numbers repeats.
std::string charles_transaction_identity(const nlohmann::json& transaction);

}  // namespace trafficdb
