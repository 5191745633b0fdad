// WebSocketDecoder: rebuilds the messages one side of a WebSocket sent from
// the raw bytes of its frames (RFC 6455 §5), as Charles exports them and as
// packets carry them.
//
// Feed the bytes in order, in pieces of any size. Masked frames (a client's)
// are unmasked; fragments are joined; messages compressed with
// permessage-deflate (RFC 7692, RSV1 set) are inflated, keeping the sliding
// window between messages as context takeover requires. Control frames
// (close, ping, pong) are messages of their own, even between fragments.
//
// Bounds: a message keeps at most max_message_bytes of payload (its full
// size is still counted); the decoder's memory is about twice that. Frames
// that break the protocol (a reserved opcode, a continuation with nothing to
// continue, a control frame over 125 bytes, a 64-bit length with the top bit
// set) stop decoding with an error; messages already complete are kept.
// A compressed message is inflated to its end (context takeover needs the
// whole stream) but only up to 64 times the cap: past that it is a bomb and
// decoding stops.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/exchange.h"

namespace trafficdb {

class WebSocketDecoder {
 public:
  // Keeps at most max_total_bytes of payload over all messages; past that,
  // decoding stops with an error (the messages before are kept).
  WebSocketDecoder(WebSocketMessage::Sender sender, std::size_t max_message_bytes,
                   std::size_t max_total_bytes = std::size_t{1} << 30);
  ~WebSocketDecoder();
  WebSocketDecoder(const WebSocketDecoder&) = delete;
  WebSocketDecoder& operator=(const WebSocketDecoder&) = delete;

  // Decodes `bytes`; each message completed is appended to `out` with `at`
  // as its time. After an error, further calls return the same error.
  Status feed(std::string_view bytes, std::vector<WebSocketMessage>& out, std::optional<Micros> at = std::nullopt);

  // Ok when the bytes fed so far ended exactly at a message boundary;
  // otherwise says what was left incomplete.
  Status finish() const;

 private:
  struct Inflater;
  Status fail(std::string message);
  Status end_frame(std::vector<WebSocketMessage>& out, std::optional<Micros> at);
  void append_payload(std::string_view bytes);

  const WebSocketMessage::Sender sender_;
  const std::size_t max_message_;
  const std::size_t max_total_;
  std::size_t total_kept_ = 0;
  Status error_;
  std::uint64_t offset_ = 0;  // bytes fed so far, for messages

  // The frame being read.
  std::string header_;  // up to 14 bytes until the header is complete
  bool in_payload_ = false;
  bool fin_ = false, rsv1_ = false, masked_ = false;
  int opcode_ = 0;
  unsigned char mask_[4] = {0, 0, 0, 0};
  std::uint64_t remaining_ = 0;  // payload bytes of this frame still to come
  std::uint64_t mask_pos_ = 0;

  // The data message being assembled (fragments), and a control frame's payload.
  bool in_message_ = false;
  int message_opcode_ = 0;
  bool message_compressed_ = false;
  std::string message_payload_;
  std::uint64_t message_size_ = 0;
  std::string control_payload_;
  std::unique_ptr<Inflater> inflater_;
};

}  // namespace trafficdb
