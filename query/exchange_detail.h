// One exchange in full, as people and agents read it: headers (redacted by
// default), bodies as text when they are text (charset-aware, optionally
// pretty-printed JSON), otherwise base64, each a byte range of the stored
// body (from an offset, at most a maximum size) with the range and what
// remains said, so that a caller can page through a big body; timings;
// WebSocket messages; source details. A caller may ask for only some parts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "query/exchange_loader.h"
#include "query/redaction.h"

namespace trafficdb {

// Which parts of an exchange a detail holds; the request line, status,
// addresses, error and source details are always there.
struct DetailParts {
  bool request_headers = true;
  bool response_headers = true;
  bool request_body = true;
  bool response_body = true;
  bool timings = true;
  bool websocket = true;
};

struct DetailOptions {
  std::size_t max_body_bytes = 16 * 1024;   // per body, of text or of bytes before base64
  // The first byte of each body shown, counted in the stored (decoded)
  // bytes. A text range never splits a character: it starts at the next
  // character when `body_offset` falls inside one and ends before a
  // character that does not fit whole.
  std::size_t body_offset = 0;
  DetailParts parts;
  std::size_t max_websocket_messages = 50;
  std::size_t max_message_bytes = 2048;
  bool redact = true;
  bool pretty_json = false;
  const RedactionRules* rules = &RedactionRules::defaults();
};

// How a body is shown.
struct BodyView {
  std::string kind;  // "text", "binary", "empty", "not_captured"
  std::string content;  // the text, or base64 of the bytes shown
  bool truncated = false;      // more stored bytes follow the range shown (next_offset is where)
  std::size_t offset = 0;      // the range shown, [offset, end) of the stored bytes
  std::size_t end = 0;
  bool stored_partially = false;  // the store itself kept only part of the body
  std::optional<std::int64_t> size;  // full decoded size
  std::string charset;         // the charset the text was read in, when not UTF-8
  std::size_t redacted = 0;    // secrets masked (query/body_redaction.h); the range counts in the masked text
};

// `content_type` is the message's Content-Type header value (charset, JSON).
// JSON is pretty-printed (pretty_json) only when the range holds the whole body.
// With options.redact, secrets in a UTF-8 text body are masked first
// (query/body_redaction.h) and the range is taken from the masked text.
BodyView view_body(const Body& body, bool stored_as_text, const std::string& content_type,
                   const DetailOptions& options);

// The JSON detail of exchange `id`; nullopt when there is none.
Result<std::optional<nlohmann::json>> exchange_detail_json(SQLite::Database& db, std::int64_t id,
                                                           const DetailOptions& options);

// {kind, size?, offset, end, next_offset?, text|base64, charset?, truncated?,
// stored_partially?, redacted?}; an empty or uncaptured body is {kind, size?}.
nlohmann::json body_view_to_json(const BodyView& view);

}  // namespace trafficdb
