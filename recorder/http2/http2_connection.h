// Http2Connection: the exchanges of one HTTP/2 connection (RFC 9113) — over
// TLS (ALPN h2), in clear with prior knowledge (h2c), or after an HTTP/1.1
// `Upgrade: h2c` answered 101.
//
// Each direction is cut into frames (frame_reader.h); header blocks
// (HEADERS or PUSH_PROMISE and their CONTINUATIONs, padding removed) are
// decoded in order per direction by an HpackDecoder, whose table size
// follows the peer's SETTINGS. One stream is one exchange: the request from
// the client's header block (pseudo-header fields kept in the stored list),
// the response from the server's (1xx kept as informational), DATA as
// bodies (content coding undone, capped), trailers after DATA (gRPC's
// grpc-status among them: a non-zero status is the exchange's error).
// Streams interleave and are handed on in the order they complete; a
// stream reset by either side is handed on with the reset's error code;
// server pushes are exchanges of their own (details.pushed). Streams still
// open when the connection ends are handed on with an error.
//
// What cannot be read is said: header blocks whose HPACK state the capture
// does not hold (it started mid-connection) leave their exchanges without
// those headers and with an error; a gap, or a frame past the allowed size,
// stops reading that direction, and what was open ends with an error.
//
// Bounds: streams open at once (the oldest is handed on early, marked),
// header block bytes (CONTINUATION floods), decoded header lists (HPACK
// bombs), frame size, body bytes (per body and the shared BodyBudget).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "recorder/capture_output.h"
#include "recorder/http1/http_exchange_builder.h"
#include "recorder/http1/http_message.h"
#include "recorder/http2/frame_reader.h"
#include "recorder/http2/hpack_decoder.h"
#include "recorder/pcap/tcp_reassembler.h"
#include "recorder/tls/tls_facts.h"

namespace trafficdb {

struct Http2Options {
  std::size_t max_body_bytes = 32u << 20;         // per body, decoded
  std::size_t max_open_streams = 1000;            // per connection
  std::size_t max_header_block_bytes = 1u << 20;  // one block with its CONTINUATIONs, encoded
  HpackDecoder::Limits header_list;
};

class Http2Connection final : public StreamHandler {
 public:
  // `info.originator` is the client. `tls` (may be null: h2c) is copied.
  // `upgraded_request`: after `Upgrade: h2c`, the HTTP/1.1 request that
  // stream 1 answers.
  Http2Connection(const ConnectionInfo& info, const Http2Options& options, BodyBudget& budget,
                  CaptureOutput& output, const TlsFacts* tls, std::optional<HttpMessage> upgraded_request = {});
  ~Http2Connection() override;

  void on_data(Side side, std::string_view bytes, Micros at) override;
  void on_gap(Side side, std::uint64_t length, Micros at) override;
  void on_end(Side side, StreamEnd how, Micros at) override;
  void on_close(Micros at) override;

 private:
  struct Stream;
  struct Direction;
  void on_frame(Side side, const Http2Frame& frame, Micros at);
  void on_header_block(Side side, std::uint32_t stream_id, std::optional<std::uint32_t> promised,
                       bool end_stream, Micros at);
  void on_settings(Side side, std::string_view payload);
  void on_data_frame(Side side, const Http2Frame& frame, std::string_view data, Micros at);
  Stream* stream(std::uint32_t id, bool create);
  void end_half(Stream& s, Side side, Micros at);
  void maybe_hand_on(std::uint32_t id);
  void hand_on(Stream& s, const std::string& error);
  void stop_direction(Side side, const std::string& why);

  const ConnectionInfo info_;
  const Http2Options& options_;
  BodyBudget& budget_;
  CaptureOutput& output_;
  std::optional<TlsFacts> tls_;
  std::unique_ptr<Direction> dir_[2];
  std::map<std::uint32_t, std::unique_ptr<Stream>> streams_;
  std::string connection_error_;  // GOAWAY with an error, or a direction that stopped
};

}  // namespace trafficdb
