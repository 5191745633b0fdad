// HttpMessageParser: the HTTP/1.x messages in one direction of a TCP
// connection, from its bytes as the reassembler delivers them.
//
// Framing follows RFC 9112 §6.3: chunked (with trailers) wins over
// Content-Length; else Content-Length; else a response reads until the
// connection closes and a request has no body. Whether a response may have a
// body at all (HEAD, 1xx, 204, 304) and whether the stream switches protocol
// after a message (101, CONNECT) are the connection's to say, through
// Events::on_head.
//
// Gaps (bytes the capture missed): inside a body of known length they are
// skipped and counted; anywhere else the message in progress is handed on
// incomplete, with an error, and the parser looks for the next line that
// starts a message. The same happens after a malformed head.
//
// Bounds: a head may be at most kMaxHeadBytes; a chunk-size or trailer line
// at most kMaxLineBytes; a body keeps at most max_body_bytes. Heads being
// read, bytes held and bodies all count against the shared BodyBudget, so
// many connections at once cannot hold more than it. Work is linear in the
// bytes fed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "recorder/http1/held_bytes.h"
#include "recorder/http1/http_message.h"

namespace trafficdb {

class HttpMessageParser {
 public:
  enum class Kind { request, response };
  static constexpr std::size_t kMaxHeadBytes = 64u << 10;
  static constexpr std::size_t kMaxLineBytes = 8u << 10;

  // What happens after the message whose head was just read.
  struct Plan {
    bool body_allowed = true;  // false: no body, whatever the headers say
    enum class After {
      next_message,  // another message follows
      wait,          // hold the bytes that follow until resume() or become_opaque()
      opaque,        // the stream is no longer HTTP (101, a CONNECT tunnel)
    } after = After::next_message;
  };

  class Events {
   public:
    virtual ~Events() = default;
    // A message's head is read (start line and headers).
    virtual Plan on_head(const HttpMessage& message) = 0;
    // A message is over: whole, or incomplete with `error` set.
    virtual void on_message(HttpMessage&& message) = 0;
    // Bytes after the stream switched protocol, and gaps among them.
    virtual void on_opaque(std::string_view bytes, Micros at) = 0;
    virtual void on_opaque_gap(std::uint64_t length) = 0;
    // The stream is not HTTP/1.x (`why` says what it looked like).
    virtual void on_not_http(std::string_view why) = 0;
    // Response parsers ask, before each response, whether the request it
    // answers was HTTP/0.9 (its response has no status line or headers).
    virtual bool next_response_is_http09() { return false; }
  };

  // `start_known`: the stream's first byte is the start of a message (the
  // SYN was seen), so a stream that does not start like HTTP is not HTTP.
  // Otherwise the parser looks for the first line that starts a message.
  HttpMessageParser(Kind kind, Events& events, std::size_t max_body_bytes, BodyBudget* budget, bool start_known);

  void feed(std::string_view bytes, Micros at);
  void gap(std::uint64_t length, Micros at);

  // The stream ended. A response read until close is complete when the
  // connection was closed in order (`orderly`); anything else in progress
  // is handed on incomplete, its error ending with `why`.
  void finish(bool orderly, std::string_view why, Micros at);

  // After Plan::After::wait: parse the held bytes (and what follows) as HTTP,
  // or hand them on as opaque.
  void resume(Micros at);
  void become_opaque(Micros at);

  // True when the stream will not be parsed any more (not HTTP, or a
  // protocol the parser does not follow).
  bool ignoring() const { return state_ == State::ignored; }

  // True between messages: no message has begun.
  bool between_messages() const { return state_ == State::start || state_ == State::seeking; }

 private:
  enum class State {
    start,        // before a message: leading blank lines are skipped
    head,         // reading the start line and headers
    body_fixed,   // Content-Length bytes remain
    chunk_size,
    chunk_data,
    chunk_end,    // the CRLF after a chunk's data
    trailers,
    until_close,
    seeking,      // looking for a line that starts a message
    held,         // waiting for the connection to say what follows
    opaque,
    ignored,
  };

  std::size_t consume(std::string_view bytes, Micros at);
  std::size_t consume_start(std::string_view bytes, Micros at);
  std::size_t consume_head(std::string_view bytes, Micros at);
  std::size_t consume_line(std::string_view bytes, Micros at);
  std::size_t consume_seeking(std::string_view bytes, Micros at);
  bool head_complete(std::string_view header_lines, Micros at);
  void complete(Micros at);
  void fail_message(std::string error, Micros at);
  void add_error(std::string error);  // appended to what the message already says
  void append_body(std::string_view bytes);
  void miss_body(std::uint64_t length);
  bool starts_message(std::string_view line) const;
  void start_seeking();
  void drop_head();
  // The start line is not HTTP: ignores the stream (returns true) when its
  // start was seen and this is its first message, else looks for the next.
  bool bad_start_line(const char* what);
  void ignore(std::string_view why);

  const Kind kind_;
  Events& events_;
  const std::size_t max_body_bytes_;
  BodyBudget* const budget_;
  bool first_message_ = true;
  bool start_known_;

  State state_;
  HttpMessage message_;
  bool message_open_ = false;
  Plan::After after_ = Plan::After::next_message;  // for the message being read
  std::string head_;      // the head read so far
  BudgetCharge head_charge_;  // head_ counts against the budget too
  std::string line_;      // a chunk-size, chunk-end, trailer or seeking line read so far
  bool line_too_long_ = false;
  std::string trailer_block_;
  std::uint64_t remaining_ = 0;  // body or chunk bytes still to come
  HeldBytes held_;
};

}  // namespace trafficdb
