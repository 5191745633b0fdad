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

}  // namespace

HttpMessageParser::HttpMessageParser(Kind kind, Events& events, std::size_t max_body_bytes, BodyBudget* budget,
                                     bool start_known)
    : kind_(kind),
      events_(events),
      max_body_bytes_(max_body_bytes),
      budget_(budget),
      start_known_(start_known),
      state_(start_known ? State::start : State::seeking),
      held_(kMaxHeadBytes, budget) {}

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
    case State::held:
      held_.hold(bytes);
      return bytes.size();
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

std::size_t HttpMessageParser::consume_head(std::string_view bytes, Micros at) {
  const std::size_t old = head_.size();
  const std::size_t first_lf_before = old == 0 ? std::string::npos : head_.find('\n');
  const std::string_view wanted = bytes.substr(0, kMaxHeadBytes + 3 - std::min(old, kMaxHeadBytes + 3));
  head_.append(wanted);
  const std::size_t appended = wanted.size();
  {
    // Only the head's own bytes count against the budget, not the body
    // that may follow it in the same chunk.
    const std::size_t head_end = find_head_end(head_, old >= 3 ? old - 3 : 0);
    const std::size_t held = (head_end == std::string::npos ? head_.size() : head_end) - old;
    if (head_charge_.take(budget_, held) < held) {
      head_.resize(old);
      fail_message("its headers could not be held: too much of the capture is waiting in memory", at);
      drop_head();
      return bytes.size();
    }
  }

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
      } else if (auto m = parse_malformed_request_line(line)) {
        // What a server would still take is kept, and what was wrong said.
        valid = true;
        message_.method = std::move(m->line.method);
        message_.target = std::move(m->line.target);
        message_.version = std::move(m->line.version);
        message_.error = "malformed request line: " + m->problem;
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
  if ((end == std::string::npos && head_.size() > kMaxHeadBytes) ||
      (end != std::string::npos && end > kMaxHeadBytes)) {
    const std::size_t used = (end == std::string::npos ? head_.size() : end) - old;
    fail_message("its headers are longer than " + std::to_string(kMaxHeadBytes / 1024) + " KiB", at);
    drop_head();
    return used;
  }
  if (end == std::string::npos) return appended;
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
  if (message_.body_missing > 0)
    add_error(count_bytes(message_.body_missing) + " of its " + count_bytes(message_.body_length) +
              " of body are missing from the capture");
  if (!message_.last_at) message_.last_at = at;
  message_open_ = false;
  // The next state is set first: on_message may call resume() or become_opaque().
  switch (after_) {
    case Plan::After::next_message: state_ = State::start; break;
    case Plan::After::wait:
      held_.clear();
      state_ = State::held;
      break;
    case Plan::After::opaque: state_ = State::opaque; break;
  }
  after_ = Plan::After::next_message;
  events_.on_message(std::move(message_));
}

void HttpMessageParser::add_error(std::string error) {
  message_.error = message_.error.empty() ? std::move(error) : message_.error + "; " + error;
}

void HttpMessageParser::fail_message(std::string error, Micros at) {
  after_ = Plan::After::next_message;
  start_seeking();
  if (message_open_) {
    add_error(std::move(error));
    if (!message_.last_at) message_.last_at = at;
    message_open_ = false;
    events_.on_message(std::move(message_));
  }
}

void HttpMessageParser::resume(Micros at) {
  if (state_ != State::held) return;
  state_ = State::start;
  const HeldBytes::Parts held = held_.take();
  // What came before the gap, the gap, then what came after: a line is never
  // joined across it.
  feed(held.before(), at);
  if (held.gap_at) {
    gap(held.gap_length, at);
    feed(held.after(), at);
  }
}

void HttpMessageParser::become_opaque(Micros at) {
  if (state_ != State::held) return;
  state_ = State::opaque;
  const HeldBytes::Parts held = held_.take();
  if (!held.before().empty()) events_.on_opaque(held.before(), at);
  if (held.gap_at) {
    events_.on_opaque_gap(held.gap_length);
    if (!held.after().empty()) events_.on_opaque(held.after(), at);
  }
}

void HttpMessageParser::drop_head() {
  head_.clear();
  head_charge_.release();
}

void HttpMessageParser::ignore(std::string_view why) {
  state_ = State::ignored;
  drop_head();
  head_.shrink_to_fit();
  events_.on_not_http(why);
}

}  // namespace trafficdb
