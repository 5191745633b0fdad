#include "recorder/http1/http_message_parser.h"

#include <algorithm>

#include "recorder/http1/body_framing.h"
#include "recorder/http1/http_head.h"

namespace trafficdb {
namespace {

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string count_bytes(std::uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

}  // namespace

HttpMessageParser::HttpMessageParser(Kind kind, Events& events, std::size_t max_body_bytes, BodyBudget* budget,
                                     bool start_known)
    : kind_(kind),
      events_(events),
      max_body_bytes_(max_body_bytes),
      budget_(budget),
      start_known_(start_known),
      state_(start_known ? State::start : State::seeking) {}

void HttpMessageParser::feed(std::string_view bytes, Micros at) {
  while (!bytes.empty()) bytes.remove_prefix(consume(bytes, at));
}

std::size_t HttpMessageParser::consume(std::string_view bytes, Micros at) {
  switch (state_) {
    case State::start:
      return consume_start(bytes, at);
    case State::head:
      return consume_head(bytes, at);
    case State::body_fixed:
    case State::chunk_data: {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
      append_body(bytes.substr(0, n));
      remaining_ -= n;
      message_.last_at = at;
      if (remaining_ == 0) {
        if (state_ == State::chunk_data) state_ = State::chunk_end;
        else complete(at);
      }
      return n;
    }
    case State::chunk_size:
    case State::chunk_end:
    case State::trailers:
      return consume_line(bytes, at);
    case State::until_close:
      append_body(bytes);
      message_.last_at = at;
      return bytes.size();
    case State::seeking:
      return consume_seeking(bytes, at);
    case State::held: {
      const std::size_t room = kMaxHeadBytes - std::min(held_.size(), kMaxHeadBytes);
      const std::size_t wanted = std::min(room, bytes.size());
      const std::size_t granted = held_charge_.take(budget_, wanted);
      held_.append(bytes.substr(0, granted));
      if (granted < bytes.size()) held_gap_ = true;  // what did not fit is lost
      return bytes.size();
    }
    case State::opaque:
      events_.on_opaque(bytes, at);
      return bytes.size();
    case State::ignored:
      return bytes.size();
  }
  return bytes.size();
}

std::size_t HttpMessageParser::consume_start(std::string_view bytes, Micros at) {
  message_ = HttpMessage{};
  message_.is_request = kind_ == Kind::request;
  message_.first_at = at;
  message_.last_at = at;
  if (kind_ == Kind::response && events_.next_response_is_http09()) {
    // An HTTP/0.9 response is the body alone, until the connection closes.
    message_.version = "HTTP/0.9";
    message_.status = 200;
    message_open_ = true;
    first_message_ = false;
    state_ = State::until_close;
    return 0;
  }
  std::size_t i = 0;
  while (i < bytes.size() && (bytes[i] == '\r' || bytes[i] == '\n')) ++i;  // RFC 9112 §2.2
  if (i == bytes.size()) return i;
  drop_head();
  message_open_ = true;
  state_ = State::head;
  return i;
}

bool HttpMessageParser::starts_message(std::string_view line) const {
  if (kind_ == Kind::response) return parse_status_line(line).has_value();
  const auto request = parse_request_line(line);
  return request && request->version != "HTTP/0.9";
}

std::size_t HttpMessageParser::consume_head(std::string_view bytes, Micros at) {
  const std::size_t old = head_.size();
  const std::size_t first_lf_before = old == 0 ? std::string::npos : head_.find('\n');
  const std::string_view wanted = bytes.substr(0, kMaxHeadBytes + 3 - std::min(old, kMaxHeadBytes + 3));
  if (head_charge_.take(budget_, wanted.size()) < wanted.size()) {
    fail_message("its headers could not be held: too much of the capture is waiting in memory", at);
    drop_head();
    return bytes.size();
  }
  head_.append(wanted);
  const std::size_t appended = wanted.size();

  std::size_t first_lf = first_lf_before;
  if (first_lf == std::string::npos) {
    // The start line decides early whether this is HTTP at all.
    const std::string_view prefix = std::string_view(head_).substr(0, 80);
    const bool plausible = kind_ == Kind::request ? could_start_request(prefix) : could_start_response(prefix);
    first_lf = head_.find('\n', old);
    if (!plausible || (first_lf == std::string::npos && head_.size() > kMaxLineBytes)) {
      if (bad_start_line("first bytes are")) return bytes.size();
      return 0;  // the bytes are looked at again, for a line that starts a message
    }
    if (first_lf == std::string::npos) return appended;

    const std::string_view line = strip_cr(std::string_view(head_).substr(0, first_lf));
    bool valid = false;
    if (kind_ == Kind::request) {
      if (auto r = parse_request_line(line)) {
        valid = true;
        if (r->method == "PRI" && r->target == "*" && r->version == "HTTP/2.0") {
          message_open_ = false;
          ignore("HTTP/2 with prior knowledge (not decoded)");
          return bytes.size();
        }
        message_.method = std::move(r->method);
        message_.target = std::move(r->target);
        message_.version = std::move(r->version);
      }
    } else if (auto s = parse_status_line(line)) {
      valid = true;
      message_.status = s->status;
      message_.reason = std::move(s->reason);
      message_.version = std::move(s->version);
    }
    if (!valid) {
      if (bad_start_line("first line is")) return bytes.size();
      return first_lf + 1 - old;  // look for a message start after this line
    }
    if (message_.version == "HTTP/0.9") {  // a request line alone, no headers
      drop_head();
      head_complete(std::string_view(), at);
      return first_lf + 1 - old;
    }
  }

  const std::size_t from = std::max(first_lf, old >= 3 ? old - 3 : 0);
  const std::size_t end = find_head_end(head_, from);
  if (end == std::string::npos) {
    if (head_.size() > kMaxHeadBytes) {
      fail_message("its headers are longer than " + std::to_string(kMaxHeadBytes / 1024) + " KiB", at);
      return appended;
    }
    return appended;
  }
  head_.resize(end);
  const std::string head = std::move(head_);
  drop_head();
  head_complete(std::string_view(head).substr(first_lf + 1), at);
  return end - old;
}

bool HttpMessageParser::head_complete(std::string_view header_lines, Micros at) {
  message_.headers = parse_header_lines(header_lines);
  message_.last_at = at;
  message_.head_done = true;
  first_message_ = false;
  const Plan plan = events_.on_head(message_);
  after_ = plan.after;

  const BodyFraming framing =
      body_framing(kind_ == Kind::request, message_.version, plan.body_allowed, message_.headers);
  if (framing.kind == BodyFraming::Kind::invalid) {
    fail_message(framing.problem, at);
    return false;
  }
  if (framing.kind == BodyFraming::Kind::until_close && !framing.problem.empty()) message_.error = framing.problem;

  switch (framing.kind) {
    case BodyFraming::Kind::none:
    case BodyFraming::Kind::invalid:
      complete(at);
      break;
    case BodyFraming::Kind::fixed:
      remaining_ = framing.length;
      state_ = State::body_fixed;
      break;
    case BodyFraming::Kind::chunked:
      message_.chunked = true;
      line_.clear();
      state_ = State::chunk_size;
      break;
    case BodyFraming::Kind::until_close:
      state_ = State::until_close;
      break;
  }
  return true;
}

std::size_t HttpMessageParser::consume_line(std::string_view bytes, Micros at) {
  const std::size_t lf = bytes.find('\n');
  const std::size_t take = lf == std::string_view::npos ? bytes.size() : lf + 1;
  if (line_.size() + take > kMaxLineBytes) {
    fail_message(state_ == State::trailers ? "a trailer line is longer than 8 KiB"
                                           : "a chunk-size line is longer than 8 KiB",
                 at);
    return take;
  }
  line_.append(bytes.substr(0, lf == std::string_view::npos ? take : lf));
  message_.last_at = at;
  if (lf == std::string_view::npos) return take;

  const std::string line = std::string(strip_cr(line_));
  line_.clear();
  switch (state_) {
    case State::chunk_size: {
      const auto size = parse_chunk_size(line);
      if (!size) {
        fail_message("malformed chunk size line", at);
      } else if (*size == 0) {
        trailer_block_.clear();
        state_ = State::trailers;
      } else {
        remaining_ = *size;
        state_ = State::chunk_data;
      }
      break;
    }
    case State::chunk_end:
      if (line.empty()) state_ = State::chunk_size;
      else fail_message("chunk data is not followed by CRLF", at);
      break;
    case State::trailers:
      if (line.empty()) {
        message_.trailers = parse_header_lines(trailer_block_);
        complete(at);
      } else if (trailer_block_.size() + line.size() > kMaxHeadBytes) {
        fail_message("its trailers are longer than 64 KiB", at);
      } else {
        (trailer_block_ += line) += '\n';
      }
      break;
    default:
      break;
  }
  return take;
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

void HttpMessageParser::append_body(std::string_view bytes) {
  message_.body_length += bytes.size();
  if (message_.body_missing > 0) return;  // only a contiguous prefix is kept
  const std::size_t room = max_body_bytes_ > message_.body.size() ? max_body_bytes_ - message_.body.size() : 0;
  const std::size_t granted = message_.charge.take(budget_, std::min(room, bytes.size()));
  message_.body.append(bytes.substr(0, granted));
  if (granted < bytes.size()) message_.body_cut = true;
}

void HttpMessageParser::miss_body(std::uint64_t length) {
  message_.body_length += length;
  message_.body_missing += length;
}

void HttpMessageParser::complete(Micros at) {
  if (message_.body_missing > 0 && message_.error.empty())
    message_.error = count_bytes(message_.body_missing) + " of its " + count_bytes(message_.body_length) +
                     " of body are missing from the capture";
  if (!message_.last_at) message_.last_at = at;
  message_open_ = false;
  // The next state is set first: on_message may call resume() or become_opaque().
  switch (after_) {
    case Plan::After::next_message: state_ = State::start; break;
    case Plan::After::wait:
      held_.clear();
      held_charge_.release();
      held_gap_ = false;
      state_ = State::held;
      break;
    case Plan::After::opaque: state_ = State::opaque; break;
  }
  after_ = Plan::After::next_message;
  events_.on_message(std::move(message_));
}

void HttpMessageParser::fail_message(std::string error, Micros at) {
  after_ = Plan::After::next_message;
  start_seeking();
  if (message_open_) {
    message_.error = std::move(error);
    if (!message_.last_at) message_.last_at = at;
    message_open_ = false;
    events_.on_message(std::move(message_));
  }
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
      held_gap_ = true;
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

void HttpMessageParser::resume(Micros at) {
  if (state_ != State::held) return;
  state_ = held_gap_ ? State::seeking : State::start;
  const std::string held = std::move(held_);
  held_.clear();
  held_charge_.release();
  feed(held, at);
}

void HttpMessageParser::become_opaque(Micros at) {
  if (state_ != State::held) return;
  state_ = State::opaque;
  const std::string held = std::move(held_);
  held_.clear();
  held_charge_.release();
  if (!held.empty()) events_.on_opaque(held, at);
  if (held_gap_) events_.on_opaque_gap(0);
}

void HttpMessageParser::drop_head() {
  head_.clear();
  head_charge_.release();
}

void HttpMessageParser::start_seeking() {
  state_ = State::seeking;
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

void HttpMessageParser::ignore(std::string_view why) {
  state_ = State::ignored;
  drop_head();
  head_.shrink_to_fit();
  events_.on_not_http(why);
}

}  // namespace trafficdb
