// HttpMessageParser, when bytes are missing or do not start a message:
// gaps in the capture, resynchronising on the next line that starts a
// message, and the end of the stream.
#include <string>

#include "recorder/http1/http_head.h"
#include "recorder/http1/http_message_parser.h"

namespace trafficdb {

bool HttpMessageParser::starts_message(std::string_view line) const {
  if (kind_ == Kind::response) return parse_status_line(line).has_value();
  const auto request = parse_request_line(line);
  return request && request->version != "HTTP/0.9";
}

std::size_t HttpMessageParser::consume_seeking(std::string_view bytes, Micros at) {
  const std::size_t lf = bytes.find('\n');
  const std::size_t take = lf == std::string_view::npos ? bytes.size() : lf + 1;
  if (!line_too_long_) {
    if (line_.size() + take > kMaxLineBytes) {
      line_too_long_ = true;
      line_.clear();
    } else {
      line_.append(bytes.substr(0, take));
    }
  }
  if (lf == std::string_view::npos) return take;
  const bool found = !line_too_long_ && starts_message(std::string_view(line_).substr(0, line_.size() - 1));
  line_too_long_ = false;
  if (found) {
    const std::string line = std::move(line_);
    line_.clear();
    state_ = State::start;
    feed(line, at);
  }
  line_.clear();
  return take;
}

void HttpMessageParser::gap(std::uint64_t length, Micros at) {
  const std::string missing = count_bytes(length);
  switch (state_) {
    case State::start:
    case State::seeking:
      message_open_ = false;
      start_seeking();
      break;
    case State::head:
      if (message_.version.empty()) {  // not even a start line yet: nothing to hand on
        message_open_ = false;
        start_seeking();
      } else {
        fail_message("the capture is missing " + missing + " inside its headers", at);
      }
      break;
    case State::body_fixed:
      if (length < remaining_) {
        miss_body(length);
        remaining_ -= length;
      } else {
        const std::uint64_t past_end = length - remaining_;
        miss_body(remaining_);
        remaining_ = 0;
        complete(at);
        if (past_end > 0) gap(past_end, at);
      }
      break;
    case State::chunk_data:
      if (length < remaining_) {
        miss_body(length);
        remaining_ -= length;
        break;
      }
      miss_body(remaining_);
      fail_message("the capture is missing " + missing + " across a chunk boundary; the rest of the body is lost",
                   at);
      break;
    case State::chunk_size:
    case State::chunk_end:
    case State::trailers:
      fail_message("the capture is missing " + missing + " of its chunked body", at);
      break;
    case State::until_close:
      miss_body(length);
      break;
    case State::held:
      held_.gap(length);
      break;
    case State::opaque:
      events_.on_opaque_gap(length);
      break;
    case State::ignored:
      break;
  }
}

void HttpMessageParser::finish(bool orderly, std::string_view why, Micros at) {
  switch (state_) {
    case State::until_close:
      if (!orderly && message_.error.empty())
        message_.error = std::string(why) + " before the connection closed; the body may be incomplete";
      complete(at);
      break;
    case State::body_fixed:
      fail_message(std::string(why) + " " + count_bytes(remaining_) + " before the end of the body", at);
      break;
    case State::chunk_size:
    case State::chunk_data:
    case State::chunk_end:
    case State::trailers:
      fail_message(std::string(why) + " before the end of the chunked body", at);
      break;
    case State::head:
      if (!message_.version.empty()) fail_message(std::string(why) + " before the end of its headers", at);
      break;
    default:
      break;
  }
  message_open_ = false;
  state_ = State::ignored;
}

void HttpMessageParser::start_seeking() {
  state_ = State::seeking;
  drop_head();
  line_.clear();
  line_too_long_ = false;
}

bool HttpMessageParser::bad_start_line(const char* what) {
  message_open_ = false;
  if (first_message_ && start_known_) {
    // The stream's start was seen and it is not HTTP/1.x.
    ignore(std::string(kind_ == Kind::request ? "the client's " : "the server's ") + what + " not an HTTP/1.x " +
           (kind_ == Kind::request ? "request line" : "status line"));
    return true;
  }
  start_seeking();
  return false;
}

}  // namespace trafficdb
