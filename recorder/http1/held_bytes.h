// HeldBytes: the bytes a direction sends after a message whose successor
// the other side decides (a CONNECT, an Upgrade), kept until the connection
// knows whether they are HTTP or another protocol. Bounded (max_bytes, and
// the shared BodyBudget); what does not fit counts as missing. A gap among
// them keeps its place, so that what came before and after it are never
// read as one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "recorder/http1/http_message.h"

namespace trafficdb {

class HeldBytes {
 public:
  HeldBytes(std::size_t max_bytes, BodyBudget* budget) : max_bytes_(max_bytes), budget_(budget) {}

  void hold(std::string_view bytes);
  void gap(std::uint64_t length);

  struct Parts {
    std::string bytes;
    std::optional<std::size_t> gap_at;  // where in `bytes` the first missing bytes were
    std::uint64_t gap_length = 0;       // how many were missing, in all
    std::string_view before() const { return std::string_view(bytes).substr(0, gap_at.value_or(bytes.size())); }
    std::string_view after() const { return gap_at ? std::string_view(bytes).substr(*gap_at) : std::string_view(); }
  };
  // What was held, and now nothing (the budget is given back).
  Parts take();
  void clear() { (void)take(); }

 private:
  const std::size_t max_bytes_;
  BodyBudget* budget_;
  Parts parts_;
  BudgetCharge charge_;
};

}  // namespace trafficdb
