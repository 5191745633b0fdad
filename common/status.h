// Status and Result<T>: how a function that can fail on its input says so.
//
// A Status is either ok or carries a code and a human-readable message that
// names what was wrong (and, where it applies, the file, offset or position).
// The code is for callers that act differently on different failures (retry
// when busy, answer "not found", stop quietly when cancelled); the message
// is for people and is never parsed. Result<T> holds either a T or a failed
// Status. Neither throws; callers test is_ok().
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace trafficdb {

class [[nodiscard]] Status {
 public:
  enum class Code {
    ok,
    failed,         // a failure no caller needs to tell apart from others
    not_found,      // the thing asked for (a session, an exchange, a file) does not exist
    invalid_input,  // the input or an argument is malformed or out of range
    busy,           // a resource is taken (a lock, a full queue); trying later may work
    io_error,       // reading or writing a file, socket or device failed
    corrupt,        // stored data is damaged or of an unknown (newer) kind
    cancelled,      // stopped on request, or its time limit ran out
    unavailable,    // a peer (proxy, admin server, interface) cannot be reached or went away
    not_supported,  // recognised, but not something trafficdb does
  };

  Status() = default;  // ok
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(Code::failed, std::move(message)); }
  static Status not_found(std::string message) { return Status(Code::not_found, std::move(message)); }
  static Status invalid_input(std::string message) { return Status(Code::invalid_input, std::move(message)); }
  static Status busy(std::string message) { return Status(Code::busy, std::move(message)); }
  static Status io_error(std::string message) { return Status(Code::io_error, std::move(message)); }
  static Status corrupt(std::string message) { return Status(Code::corrupt, std::move(message)); }
  static Status cancelled(std::string message) { return Status(Code::cancelled, std::move(message)); }
  static Status unavailable(std::string message) { return Status(Code::unavailable, std::move(message)); }
  static Status not_supported(std::string message) { return Status(Code::not_supported, std::move(message)); }
  // A failure with `code` (not ok) and `message`.
  static Status with_code(Code code, std::string message) {
    assert(code != Code::ok && "with_code(ok)");
    return Status(code, std::move(message));
  }

  bool is_ok() const { return code_ == Code::ok; }
  Code code() const { return code_; }
  bool is(Code code) const { return code_ == code; }
  const std::string& message() const { return message_; }

  // The same failure with `context` put before its message ("file.har: ...").
  Status prefixed(std::string_view context) const {
    if (is_ok()) return *this;
    return Status(code_, std::string(context) + message_);
  }

 private:
  Status(Code code, std::string message) : message_(std::move(message)), code_(code) {}
  std::string message_;
  Code code_ = Code::ok;
};

// The code's name, for logs and JSON ("not_found", "busy", ...).
inline std::string_view code_name(Status::Code code) {
  switch (code) {
    case Status::Code::ok: return "ok";
    case Status::Code::failed: return "failed";
    case Status::Code::not_found: return "not_found";
    case Status::Code::invalid_input: return "invalid_input";
    case Status::Code::busy: return "busy";
    case Status::Code::io_error: return "io_error";
    case Status::Code::corrupt: return "corrupt";
    case Status::Code::cancelled: return "cancelled";
    case Status::Code::unavailable: return "unavailable";
    case Status::Code::not_supported: return "not_supported";
  }
  return "failed";
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).is_ok() && "Result built from an ok Status");
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status ok_status;
    return is_ok() ? ok_status : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace trafficdb
