// HttpMessage: one HTTP/1.x request or response as read off a TCP stream,
// and the budget that bounds the body bytes all messages in flight may hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/timestamp.h"
#include "model/exchange.h"

namespace trafficdb {

// Bytes of body that messages not yet handed on may hold, over all
// connections. Past it, further body bytes are counted but not kept.
class BodyBudget {
 public:
  explicit BodyBudget(std::size_t limit) : limit_(limit) {}
  std::size_t take(std::size_t wanted) {
    const std::size_t granted = std::min(wanted, limit_ - used_);
    used_ += granted;
    return granted;
  }
  void give_back(std::size_t bytes) { used_ -= bytes; }
  std::size_t used() const { return used_; }

 private:
  std::size_t limit_;
  std::size_t used_ = 0;
};

// What one message holds of a BodyBudget; given back when it is destroyed.
class BudgetCharge {
 public:
  BudgetCharge() = default;
  BudgetCharge(BudgetCharge&& o) noexcept : budget_(o.budget_), bytes_(std::exchange(o.bytes_, 0)) {}
  BudgetCharge& operator=(BudgetCharge&& o) noexcept {
    if (this != &o) {
      release();
      budget_ = o.budget_;
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  ~BudgetCharge() { release(); }
  std::size_t take(BodyBudget* budget, std::size_t wanted) {
    if (!budget) return wanted;
    budget_ = budget;
    const std::size_t granted = budget->take(wanted);
    bytes_ += granted;
    return granted;
  }
  void release() {
    if (budget_ && bytes_) budget_->give_back(bytes_);
    bytes_ = 0;
  }

 private:
  BodyBudget* budget_ = nullptr;
  std::size_t bytes_ = 0;
};

// "1 byte", "5 bytes": how the parser's messages count bytes.
inline std::string count_bytes(std::uint64_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

struct HttpMessage {
  bool is_request = true;
  // Request line.
  std::string method;
  std::string target;
  // Status line.
  int status = 0;
  std::string reason;

  std::string version;  // "HTTP/1.1"; "HTTP/0.9" for a version-less request and its response
  bool head_done = false;  // the start line and headers were read whole
  Headers headers;
  Headers trailers;     // after a chunked body

  // The body after transfer decoding (chunks joined). Only a contiguous
  // prefix is kept: up to the cap, and never past bytes the capture missed.
  std::string body;
  std::uint64_t body_length = 0;   // body bytes the message had, seen or missed
  std::uint64_t body_missing = 0;  // of those, bytes the capture did not have
  bool body_cut = false;           // bytes were seen but not kept (size cap or budget)
  bool chunked = false;
  BudgetCharge charge;

  std::optional<Micros> first_at;  // first byte
  std::optional<Micros> last_at;   // last byte seen

  // Why the message is incomplete or malformed; "" when it is whole.
  std::string error;
};

}  // namespace trafficdb
