// Headers as the store keeps them: a JSON array of [name, value] pairs in
// wire order, e.g. [["Host","example.com"],["Accept","*/*"]], so that
// SQLite's json_each() can query them. The encoder and the decoder, both here.
#pragma once

#include <string>

#include "model/exchange.h"

namespace trafficdb {

// Bytes that are not valid UTF-8 (raw obs-text from the wire) are read as
// Latin-1, as HTTP's history suggests, so the result is always valid JSON.
std::string headers_to_json(const Headers& headers);

// The headers of a stored JSON array; pairs that are not two strings are
// skipped, and text that is not a JSON array gives no headers.
Headers headers_from_json(std::string_view json);

// Appends `text` to `out` as a JSON string literal (quotes included), with
// the same Latin-1 reading of invalid UTF-8.
void append_json_string(std::string& out, std::string_view text);

}  // namespace trafficdb
