// JsonMessageReader: reads WebSocket messages that each hold one JSON
// document, in memory bounded whatever their size.
//
// A message up to `whole_message_bytes` is read into a buffer (kept and
// reused, so it grows to the largest such message once) and parsed there,
// its long plain strings copied aside rather than lexed (a multi-megabyte
// body costs a memchr and a copy); a larger one is parsed as its parts
// arrive. Either way strings longer than
// `max_string_bytes` are cut while reading (BoundedJsonInput: a 100 MB
// base64 body costs max_string_bytes), and a document whose value would
// cost more than `max_value_bytes` is skipped (json_array_stream.h counts
// the cost). Copies are linear in the message size.
//
// A message that is not one JSON document, or is too large, is returned
// with `skipped` saying why, the rest of it read and discarded: the next
// call reads the next message. Only a failing read (the connection) fails.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "recorder/httptoolkit/long_string_lifter.h"
#include "recorder/httptoolkit/websocket_client.h"

namespace trafficdb {

class BoundedJsonInput;

struct JsonMessageLimits {
  std::uint64_t max_string_bytes = 48u << 20;
  std::uint64_t max_value_bytes = 112u << 20;
  std::size_t whole_message_bytes = 16u << 20;
};

struct JsonMessage {
  nlohmann::json value;  // null when skipped
  // Strings cut while reading: JSON pointer -> length in the message.
  std::vector<std::pair<std::string, std::uint64_t>> cut_strings;
  std::uint64_t bytes = 0;  // the message's size
  std::string skipped;      // why `value` is null ("" when it was read)
};

// Where the parts of messages come from: WebSocketClient::read_part, or a
// stand-in in tests.
using ReadMessagePart = std::function<Result<WebSocketClient::Part>(char* into, std::size_t capacity)>;

class JsonMessageReader {
 public:
  JsonMessageReader(ReadMessagePart read_part, JsonMessageLimits limits);

  Result<JsonMessage> next();

 private:
  Status read_start(std::size_t& used, bool& done);
  Status read_rest_streamed(std::size_t used, JsonMessage& message);
  // Parses "[" + message + "]" (text_bytes in all) from `input` into `message`.
  void parse(BoundedJsonInput& input, std::uint64_t text_bytes, JsonMessage& message) const;

  ReadMessagePart read_part_;
  const JsonMessageLimits limits_;
  std::string buffer_;  // "[" + the message + "]": parsed as a one-element array
  LongStringLifter lifter_;
};

}  // namespace trafficdb
