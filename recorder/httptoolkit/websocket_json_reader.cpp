// A message is wrapped in "[" and "]" so that stream_json_array (the
// string-cutting, size-counting reader the file importers use) reads it as
// a one-element array. A message read whole has its long plain strings
// (bodies) lifted out before it is parsed (long_string_lifter.h). A large
// message reaches the parser through a stdio stream (fopencookie) whose
// reads pull the next parts off the WebSocket.
#include "recorder/httptoolkit/websocket_json_reader.h"

#include <cstdio>
#include <cstring>

#include "recorder/bounded_json_input.h"
#include "recorder/json_array_stream.h"

namespace trafficdb {
namespace {

constexpr std::size_t kInitialBuffer = 64u << 10;
constexpr std::size_t kMinRead = 16u << 10;

// The stdio stream of a message being parsed as it arrives: first the bytes
// already read, then the message's remaining parts, then "]".
struct StreamedMessage {
  const char* held = nullptr;
  std::size_t held_size = 0;
  const ReadMessagePart* read_part = nullptr;
  bool message_done = false;
  bool closed = false;  // "]" given
  std::uint64_t parts_bytes = 0;
  Status error;

  static ssize_t read(void* cookie, char* into, std::size_t size) {
    auto* m = static_cast<StreamedMessage*>(cookie);
    if (size == 0) return 0;
    if (m->held_size > 0) {
      const std::size_t n = std::min(size, m->held_size);
      std::memcpy(into, m->held, n);
      m->held += n;
      m->held_size -= n;
      return static_cast<ssize_t>(n);
    }
    while (!m->message_done) {
      auto part = (*m->read_part)(into, size);
      if (!part.is_ok()) {
        m->error = part.status();
        return -1;
      }
      m->parts_bytes += part->bytes;
      m->message_done = part->message_done;
      if (part->bytes > 0) return static_cast<ssize_t>(part->bytes);  // 0 would mean end of file
    }
    if (m->closed) return 0;
    m->closed = true;
    into[0] = ']';
    return 1;
  }
};

}  // namespace

JsonMessageReader::JsonMessageReader(ReadMessagePart read_part, JsonMessageLimits limits)
    : read_part_(std::move(read_part)), limits_(limits), buffer_(kInitialBuffer, '\0') {}

Status JsonMessageReader::read_start(std::size_t& used, bool& done) {
  // Room for "[", the message up to whole_message_bytes, and "]".
  const std::size_t limit = limits_.whole_message_bytes + 1;
  buffer_[0] = '[';
  used = 1;
  done = false;
  while (!done && used < limit) {
    if (buffer_.size() - used < kMinRead + 1)
      buffer_.resize(std::min(std::max(buffer_.size() * 2, used + kMinRead + 1), limit + 1));
    const std::size_t room = std::min(buffer_.size() - 1 - used, limit - used);
    auto part = read_part_(buffer_.data() + used, room);
    if (!part.is_ok()) return part.status();
    used += part->bytes;
    done = part->message_done;
  }
  return Status::ok();
}

Result<JsonMessage> JsonMessageReader::next() {
  std::size_t used = 0;
  bool done = false;
  if (Status s = read_start(used, done); !s.is_ok()) return s;
  JsonMessage message;
  if (!done) {
    if (Status s = read_rest_streamed(used, message); !s.is_ok()) return s;
    return message;
  }
  message.bytes = used - 1;
  buffer_[used++] = ']';
  const std::string_view text = lifter_.lift(std::string_view(buffer_.data(), used));
  BoundedJsonInput input(text, limits_.max_string_bytes);
  parse(input, text.size(), message);
  if (message.skipped.empty()) lifter_.restore(message.value, limits_.max_string_bytes, message.cut_strings);
  return message;
}

Status JsonMessageReader::read_rest_streamed(std::size_t used, JsonMessage& message) {
  StreamedMessage stream;
  stream.held = buffer_.data();
  stream.held_size = used;
  stream.read_part = &read_part_;
  std::FILE* file = fopencookie(&stream, "r", cookie_io_functions_t{&StreamedMessage::read, nullptr, nullptr, nullptr});
  if (!file) return Status::io_error(std::string("cannot read a large message: ") + std::strerror(errno));
  {
    BoundedJsonInput input(file, limits_.max_string_bytes);  // closes the file
    // The text's length is known only once the message is over: the parse
    // reads to its end unless it failed early, and then the rest is drained.
    parse(input, 0, message);
    if (!stream.error.is_ok()) return stream.error;
    const std::uint64_t consumed = input.offset();
    while (!stream.message_done) {
      auto part = read_part_(buffer_.data(), buffer_.size());
      if (!part.is_ok()) return part.status();
      stream.parts_bytes += part->bytes;
      stream.message_done = part->message_done;
    }
    message.bytes = used - 1 + stream.parts_bytes;
    if (message.skipped.empty() && consumed != message.bytes + 2) {
      message.skipped = "not JSON: there is more after the first value";
      message.value = nullptr;
      message.cut_strings.clear();
    }
  }
  return Status::ok();
}

void JsonMessageReader::parse(BoundedJsonInput& input, std::uint64_t text_bytes, JsonMessage& message) const {
  std::size_t values = 0;
  auto streamed = stream_json_array(input, {}, limits_.max_value_bytes, [&](JsonElement&& element) {
    if (++values > 1) return false;
    if (element.oversized) {
      message.skipped = "the message " + element.skip_reason;
    } else {
      message.value = std::move(element.value);
      message.cut_strings = std::move(element.cut_strings);
    }
    return true;
  });
  const bool trailing = text_bytes > 0 && input.offset() != text_bytes;
  if (!streamed.is_ok()) {
    message.skipped = "not JSON: " + streamed.status().message();
  } else if (values != 1 || streamed->stopped || trailing) {
    message.skipped = values == 0 ? "not JSON: empty" : "not JSON: there is more after the first value";
  }
  if (!message.skipped.empty()) {
    message.value = nullptr;
    message.cut_strings.clear();
  }
}

}  // namespace trafficdb
