// One exchange in full, as people and agents read it: headers (redacted by
// default), bodies as text when they are text (charset-aware, optionally
// pretty-printed JSON), otherwise a base64 preview, each cut at a maximum
// size with the cut said; timings; WebSocket messages; source details.
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

struct DetailOptions {
  std::size_t max_body_bytes = 16 * 1024;   // per body, of text or of bytes before base64
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
  bool truncated = false;      // content is a prefix of what is stored
  bool stored_partially = false;  // the store itself kept only part of the body
  std::optional<std::int64_t> size;  // full decoded size
  std::string charset;         // the charset the text was read in, when not UTF-8
};

// `content_type` is the message's Content-Type header value (charset, JSON).
BodyView view_body(const Body& body, bool stored_as_text, const std::string& content_type,
                   const DetailOptions& options);

// The JSON detail of exchange `id`; nullopt when there is none.
Result<std::optional<nlohmann::json>> exchange_detail_json(SQLite::Database& db, std::int64_t id,
                                                           const DetailOptions& options);

nlohmann::json body_view_to_json(const BodyView& view);

}  // namespace trafficdb
