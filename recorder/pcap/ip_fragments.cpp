#include "recorder/pcap/ip_fragments.h"

namespace trafficdb {

void IpFragments::erase(std::map<FragmentKey, Pending>::iterator it) {
  held_bytes_ -= it->second.held;
  oldest_first_.erase(it->second.age);
  pending_.erase(it);
}

void IpFragments::drop_oldest() {
  erase(pending_.find(oldest_first_.front()));
  ++dropped_;
}

bool IpFragments::add(const FragmentKey& key, std::uint32_t offset, bool more, std::string_view bytes, Micros at,
                      std::string& datagram) {
  while (!oldest_first_.empty() && pending_.find(oldest_first_.front())->second.first_at + kTimeout < at)
    drop_oldest();
  const std::uint64_t end = std::uint64_t{offset} + bytes.size();
  if (end > kMaxDatagramBytes) {
    ++dropped_;
    return false;
  }

  auto it = pending_.find(key);
  if (it == pending_.end()) {
    if (pending_.size() >= kMaxDatagrams) drop_oldest();
    it = pending_.emplace(key, Pending{}).first;
    it->second.first_at = at;
    it->second.age = oldest_first_.insert(oldest_first_.end(), key);
  }
  Pending& p = it->second;
  if (!more) p.total = static_cast<std::int64_t>(end);

  // Keep only the bytes no earlier fragment covered.
  std::uint32_t from = offset;
  const auto stored_end = [](const auto& piece) { return piece.first + piece.second.size(); };
  auto next = p.pieces.upper_bound(from);
  if (next != p.pieces.begin()) {
    auto prev = std::prev(next);
    if (stored_end(*prev) > from) from = static_cast<std::uint32_t>(stored_end(*prev));
  }
  while (from < end) {
    const std::uint32_t until = next == p.pieces.end() ? static_cast<std::uint32_t>(end)
                                                        : std::min<std::uint32_t>(next->first, end);
    if (until > from) {
      p.pieces.emplace(from, std::string(bytes.substr(from - offset, until - from)));
      p.held += until - from;
      held_bytes_ += until - from;
    }
    if (next == p.pieces.end()) break;
    from = std::max<std::uint32_t>(from, static_cast<std::uint32_t>(stored_end(*next)));
    ++next;
  }
  while (held_bytes_ > kMaxHeldBytes && !oldest_first_.empty()) {
    const bool ours = oldest_first_.front() == key;
    drop_oldest();
    if (ours) return false;
  }

  if (p.total < 0 || p.held != static_cast<std::size_t>(p.total)) return false;
  datagram.clear();
  datagram.reserve(static_cast<std::size_t>(p.total));
  for (const auto& [piece_offset, piece] : p.pieces) {
    if (piece_offset != datagram.size()) return false;  // a hole (cannot happen when held == total)
    datagram += piece;
  }
  erase(it);
  return true;
}

}  // namespace trafficdb
