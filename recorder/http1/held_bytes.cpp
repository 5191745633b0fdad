#include "recorder/http1/held_bytes.h"

#include <algorithm>

namespace trafficdb {

void HeldBytes::hold(std::string_view bytes) {
  const std::size_t room = max_bytes_ - std::min(parts_.bytes.size(), max_bytes_);
  const std::size_t granted = charge_.take(budget_, std::min(room, bytes.size()));
  parts_.bytes.append(bytes.substr(0, granted));
  if (granted < bytes.size()) gap(bytes.size() - granted);  // what did not fit is lost
}

void HeldBytes::gap(std::uint64_t length) {
  if (!parts_.gap_at) parts_.gap_at = parts_.bytes.size();
  parts_.gap_length += length;
}

HeldBytes::Parts HeldBytes::take() {
  Parts out = std::move(parts_);
  parts_ = Parts{};
  charge_.release();
  return out;
}

}  // namespace trafficdb
