// WebSocketClient: one client WebSocket connection over plain TCP (ws://),
// read a part of a message at a time, as the graphql-ws subscription needs.
//
// The only place Boost.Beast is used (its headers are heavy: they stay in
// websocket_client.cpp).
//
// Threading: connect(), send_text() and read_part() are called by one
// thread, the owner; each runs the connection's I/O on that thread until it
// completes. Two calls are safe from any other thread: post_text() queues a
// message that is written while the owner is reading (or at its next
// call), and interrupt() makes the call in progress (and every later one)
// fail soon with "interrupted".
//
// Keep-alive: when nothing at all arrives for `idle` the connection pings
// the server (at half of it) and gives up after the whole of it, failing the
// read in progress; the server's pings are answered. A message may be any
// size: read_part() hands over at most `capacity` bytes a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace trafficdb {

struct WebSocketTarget {
  std::string host;  // name or IP address ("127.0.0.1", "localhost")
  int port = 80;
  std::string path;         // "/session/<id>/subscription"
  std::string origin;       // sent as Origin: ""= none
  std::string subprotocol;  // asked for, and required in the answer: "" = none
};

struct WebSocketTimeouts {
  std::chrono::milliseconds connect{5000};  // TCP connect, and then the upgrade
  std::chrono::milliseconds idle{30000};    // silence (pings unanswered) that ends the connection
};

class WebSocketClient {
 public:
  explicit WebSocketClient(WebSocketTimeouts timeouts = {});
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Connects and upgrades. Fails naming ws://host:port/path and why: the
  // connection refused or timed out, the upgrade declined (with the HTTP
  // status), the server not agreeing to the subprotocol.
  Status connect(const WebSocketTarget& target);

  // Writes one text message.
  Status send_text(std::string_view text);

  // Thread-safe: writes `text` as a text message on the owner's thread,
  // after any message already being written. Errors surface in the reads.
  void post_text(std::string text);

  struct Part {
    std::size_t bytes = 0;      // written to the buffer given
    bool message_done = false;  // the message's last part
  };
  // Reads the next part of the current message (the next message when the
  // last one is done) into `into`, at most `capacity` (> 0) bytes. Fails
  // when the connection ends, saying how (closed by the server with its
  // code and reason, reset, timed out, interrupted).
  Result<Part> read_part(char* into, std::size_t capacity);

  // Thread-safe, idempotent.
  void interrupt();

  // Closes politely (a close frame, bounded by the connect timeout). Errors are ignored.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trafficdb
