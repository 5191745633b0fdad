// HttpConnection: the HTTP/1.x exchanges of one TCP connection.
//
// Decides which side is the client (the SYN's sender; without a SYN, by
// what each side's first bytes look like, then by port), reads each side
// with an HttpMessageParser, and pairs responses with requests in FIFO order
// (pipelining). 1xx responses before the final one are kept as
// informational; 101 and a 2xx answer to CONNECT end HTTP on the connection:
// a WebSocket's frames are decoded into the exchange's messages (handed on
// when the connection ends), a tunnel's bytes are skipped, another protocol
// (h2c) is noted and not followed. A connection whose first bytes are not
// HTTP/1.x is dropped as soon as that is clear.
//
// Exchanges are handed to CaptureOutput as soon as both halves are over;
// requests still unanswered when the connection ends are handed on with an
// error saying so, as are responses with no request. Server bytes that come
// before any request in capture order wait (bounded) for the request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recorder/capture_output.h"
#include "recorder/http1/http_exchange_builder.h"
#include "recorder/http1/http_message_parser.h"
#include "recorder/pcap/tcp_reassembler.h"
#include "recorder/websocket_decoder.h"

namespace trafficdb {

struct HttpCaptureOptions {
  std::size_t max_body_bytes = 32u << 20;        // per body, decoded
  std::size_t max_websocket_bytes = 64u << 20;   // per connection, all messages
  std::size_t max_waiting_requests = 1024;       // unanswered requests kept per connection
};

// Builds the handler for the HTTP/2 that follows an `Upgrade: h2c` answered
// 101: `info` names the client as the originator; `request` is the
// upgraded request (stream 1's).
using H2cUpgradeFactory =
    std::function<std::unique_ptr<StreamHandler>(const ConnectionInfo& info, HttpMessage&& request)>;

class HttpConnection final : public StreamHandler {
 public:
  // `tls`: the connection is TLS, decrypted (copied; null for cleartext).
  // `h2c`: follows HTTP/2 after an h2c upgrade (empty: the switch is
  // noted and the rest of the connection skipped).
  HttpConnection(const ConnectionInfo& info, const HttpCaptureOptions& options, BodyBudget& budget,
                 CaptureOutput& output, const TlsFacts* tls = nullptr, H2cUpgradeFactory h2c = {});
  ~HttpConnection() override;

  void on_data(Side side, std::string_view bytes, Micros at) override;
  void on_gap(Side side, std::uint64_t length, Micros at) override;
  void on_end(Side side, StreamEnd how, Micros at) override;
  void on_close(Micros at) override;
  bool wants_data() const override { return !ignored_; }

 private:
  class RequestEvents;
  class ResponseEvents;

  struct Pending {
    std::uint64_t number = 0;  // position on the connection
    bool has_request = true;   // false: a response the capture has no request for
    std::string method, version;  // from the request's head, for framing the response
    bool waits = false;        // CONNECT or Upgrade: what follows depends on the response
    std::optional<HttpMessage> request;
    std::optional<HttpMessage> response;
    std::vector<InformationalResponse> informational;
    std::string protocol_switch;
  };
  enum class ClientNext { undecided, http, opaque };

  void decide_roles(Side side, std::string_view first_bytes);
  HttpMessageParser* parser_for(Side side);
  Pending* find(std::uint64_t number);
  Pending& push_pending(bool has_request);
  void try_hand_on();
  void hand_on(Pending& p, const std::string& error);
  void hold_websocket(Pending& p);
  void feed_websocket(int direction, std::string_view bytes, Micros at);
  void lose_websocket(int direction, std::uint64_t length);  // a gap: its later frames cannot be read
  void switch_client(ClientNext next, Micros at);
  void start_h2c(Pending& p);
  void release_early_opaque();
  void feed_opaque(int direction, std::string_view bytes, Micros at);
  void lose_opaque(int direction, std::uint64_t length, Micros at);
  void release_early_response();
  void ignore(std::string_view why);

  const ConnectionInfo info_;
  const HttpCaptureOptions& options_;
  std::optional<TlsFacts> tls_;
  BodyBudget& budget_;
  CaptureOutput& output_;

  bool roles_decided_ = false;
  Side client_side_ = Side::originator;
  Endpoint client_, server_;
  std::unique_ptr<RequestEvents> request_events_;
  std::unique_ptr<ResponseEvents> response_events_;
  std::unique_ptr<HttpMessageParser> request_parser_, response_parser_;
  bool ignored_ = false;
  bool client_ended_ = false;
  std::optional<StreamEnd> server_end_;

  // Server bytes seen before any request they could answer: captures do not
  // always keep the order of the two directions (the request may come right
  // after). Held, up to kMaxEarlyResponse, until a request or the end.
  static constexpr std::size_t kMaxEarlyResponse = 64u << 10;
  std::string early_response_;
  BudgetCharge early_response_charge_;
  Micros early_response_at_ = 0;

  std::deque<Pending> pending_;
  std::uint64_t first_number_ = 0;          // number of pending_.front()
  std::uint64_t next_number_ = 0;           // for the next Pending
  std::uint64_t current_request_ = 0;       // the request being read
  std::uint64_t next_response_ = 0;         // the first Pending still without a final response head
  std::uint64_t current_response_ = 0;      // the response being read
  bool reading_informational_ = false;
  ClientNext client_next_ = ClientNext::undecided;

  // After a 101 to a WebSocket: the exchange, held until the connection ends.
  std::optional<Exchange> websocket_exchange_;
  std::unique_ptr<WebSocketDecoder> websocket_[2];  // [0] client's frames, [1] server's
  std::string websocket_error_;

  // After a 101 to h2c: the HTTP/2 that follows.
  H2cUpgradeFactory h2c_factory_;
  std::unique_ptr<StreamHandler> h2c_;
  // After a 101 (WebSocket, h2c), the bytes of the new protocol that came
  // before the 101 was handed on (bounded by kMaxEarlyResponse; an entry
  // without bytes is a gap of `gap` bytes).
  struct EarlyOpaque {
    int direction;
    std::string bytes;
    std::uint64_t gap;
    Micros at;
  };
  std::vector<EarlyOpaque> early_opaque_;
  std::size_t early_opaque_bytes_ = 0;
  bool switch_pending_ = false;
};

// The StreamHandlerFactory that follows every connection as HTTP.
StreamHandlerFactory http_connection_factory(const HttpCaptureOptions& options, BodyBudget& budget,
                                             CaptureOutput& output);

}  // namespace trafficdb
