#include "recorder/pcap/tcp_reassembler.h"

#include <algorithm>
#include <cstring>

namespace trafficdb {
namespace {

std::int64_t seq_delta(std::uint32_t seq, std::uint32_t from) {
  return static_cast<std::int32_t>(seq - from);  // wraps around 2^32
}

// The captured bytes of [skip, ...) of a payload whose first `bytes.size()`
// of `wire_length` bytes were captured.
std::string_view captured_after(std::string_view bytes, std::uint64_t skip) {
  return skip >= bytes.size() ? std::string_view() : bytes.substr(skip);
}

}  // namespace

std::size_t TcpReassembler::KeyHash::operator()(const Key& k) const noexcept {
  char packed[2 * (16 + 2 + 1)];
  char* p = packed;
  for (const Endpoint* e : {&k.a, &k.b}) {
    std::memcpy(p, e->ip.bytes.data(), 16);
    std::memcpy(p + 16, &e->port, 2);
    p[18] = static_cast<char>(e->ip.family);
    p += 19;
  }
  return std::hash<std::string_view>()(std::string_view(packed, sizeof packed));
}

TcpReassembler::TcpReassembler(StreamHandlerFactory factory, ReassemblyLimits limits)
    : factory_(std::move(factory)), limits_(limits) {}

TcpReassembler::~TcpReassembler() = default;

TcpReassembler::Table::iterator TcpReassembler::open(const Key& key, const TcpSegment& s) {
  if (connections_.size() >= limits_.max_connections) {
    ++stats_.evicted;
    close(connections_.find(least_recent_first_.front()), StreamEnd::evicted, s.at);
  }
  ConnectionInfo info{s.src, s.dst, false, s.at};
  const bool syn = s.flags & tcp_flag::syn, ack = s.flags & tcp_flag::ack;
  if (syn && !ack) info.saw_syn = true;
  if (syn && ack) info = ConnectionInfo{s.dst, s.src, true, s.at};  // the SYN was missed; its sender is the client
  auto [it, inserted] = connections_.try_emplace(key);
  Connection& c = it->second;
  c.info = info;
  c.last_seen = s.at;
  c.recency = least_recent_first_.insert(least_recent_first_.end(), key);
  c.handler = factory_(c.info);
  ++stats_.connections;
  return it;
}

void TcpReassembler::add(const TcpSegment& s) {
  ++stats_.segments;
  const bool syn = s.flags & tcp_flag::syn, ack = s.flags & tcp_flag::ack, rst = s.flags & tcp_flag::rst;
  const Key key = s.src < s.dst ? Key{s.src, s.dst} : Key{s.dst, s.src};
  auto it = connections_.find(key);
  if (it != connections_.end() && syn && !ack) {
    // A new connection on the same ports, or the SYN retransmitted?
    const Connection& c = it->second;
    const Side side = s.src == c.info.originator ? Side::originator : Side::responder;
    const Direction& d = c.dir[static_cast<int>(side)];
    if (d.started && (d.ended || d.delivered > 0 || d.next_seq != s.seq + 1)) {
      close(it, StreamEnd::reused, s.at);
      it = connections_.end();
    }
  }
  if (it == connections_.end()) {
    if (s.payload_length == 0 && !syn) return;  // a bare ACK, FIN or RST of a connection not followed
    if (rst) return;
    it = open(key, s);
  }
  Connection& c = it->second;
  c.last_seen = s.at;
  least_recent_first_.splice(least_recent_first_.end(), least_recent_first_, c.recency);
  const Side side = s.src == c.info.originator ? Side::originator : Side::responder;

  if (rst) {
    close(it, StreamEnd::reset, s.at);
  } else {
    add_to_direction(c, side, s);
    if (ack) on_peer_ack(c, other(side), s.ack, s.at);
    if (c.dir[0].ended && c.dir[1].ended) close(it, StreamEnd::fin, s.at);
  }
  expire_idle(s.at);
}

void TcpReassembler::add_to_direction(Connection& c, Side side, const TcpSegment& s) {
  Direction& d = c.dir[static_cast<int>(side)];
  if (d.ended) {
    stats_.duplicate_bytes += s.payload_length;
    return;
  }
  std::uint32_t seq = s.seq;
  if (s.flags & tcp_flag::syn) {
    if (!d.started) {
      d.started = true;
      d.next_seq = seq + 1;
    }
    ++seq;  // data on a SYN (TCP Fast Open) follows the SYN's sequence number
  }
  if (!d.started) {
    d.started = true;
    d.next_seq = seq;
  }
  const std::int64_t delta = seq_delta(seq, d.next_seq);
  if (delta > static_cast<std::int64_t>(limits_.max_jump)) {
    ++stats_.out_of_window;
    return;
  }
  if (!c.handler->wants_data()) {
    // Not followed: only the FIN matters, to know when the connection ends.
    if (!d.waiting.empty()) release_waiting(c);
    if (s.flags & tcp_flag::fin) end_direction(c, side, StreamEnd::fin, s.at);
    return;
  }

  const std::uint32_t length = s.payload_length;
  const std::int64_t segment_offset = static_cast<std::int64_t>(d.delivered) + delta;
  if (length > 0) {
    if (delta <= 0 && d.waiting.empty()) {
      // In order (possibly overlapping what was delivered): no copy.
      const std::uint64_t skip = static_cast<std::uint64_t>(-delta);
      if (skip >= length) {
        stats_.duplicate_bytes += length;
      } else {
        stats_.duplicate_bytes += skip;
        deliver(c, side, captured_after(s.payload, skip), static_cast<std::uint32_t>(length - skip), s.at);
      }
    } else {
      // Bytes from before the stream's first byte seen (a retransmit
      // reaching further back, without a SYN) are dropped; the rest waits.
      const std::uint64_t before_start = segment_offset < 0 ? static_cast<std::uint64_t>(-segment_offset) : 0;
      if (before_start >= length) {
        stats_.duplicate_bytes += length;
      } else {
        stats_.duplicate_bytes += before_start;
        insert_waiting(c, side, static_cast<std::uint64_t>(segment_offset + static_cast<std::int64_t>(before_start)),
                       captured_after(s.payload, before_start), static_cast<std::uint32_t>(length - before_start),
                       s.at);
        drain(c, side);
        while (d.waiting_bytes > limits_.max_waiting_bytes) {
          skip_to(c, side, d.waiting.begin()->first, s.at);
          drain(c, side);
        }
        if (waiting_total_ > limits_.max_waiting_total) enforce_total_bound(s.at);
      }
    }
  }
  if (s.flags & tcp_flag::fin) {
    if (!d.fin_at && segment_offset >= 0) d.fin_at = static_cast<std::uint64_t>(segment_offset) + length;
  }
  if (d.fin_at && d.delivered >= *d.fin_at) end_direction(c, side, StreamEnd::fin, s.at);
}

void TcpReassembler::insert_waiting(Connection& c, Side side, std::uint64_t offset, std::string_view bytes,
                                    std::uint32_t wire_length, Micros at) {
  Direction& d = c.dir[static_cast<int>(side)];
  const std::uint64_t end = offset + wire_length;
  std::uint64_t from = std::max(offset, d.delivered);
  auto next = d.waiting.upper_bound(from);
  if (next != d.waiting.begin()) {
    auto prev = std::prev(next);
    from = std::max(from, prev->first + prev->second.wire_length);
  }
  std::uint64_t kept = 0;
  while (from < end) {
    const std::uint64_t until = next == d.waiting.end() ? end : std::min(next->first, end);
    if (until > from) {
      std::string_view piece = captured_after(bytes, from - offset);
      piece = piece.substr(0, until - from);
      d.waiting.emplace(from, Waiting{std::string(piece), static_cast<std::uint32_t>(until - from), at});
      d.waiting_bytes += piece.size();
      waiting_total_ += piece.size();
      kept += until - from;
    }
    if (next == d.waiting.end()) break;
    from = std::max(from, next->first + next->second.wire_length);
    ++next;
  }
  stats_.duplicate_bytes += wire_length - kept;
}

void TcpReassembler::deliver(Connection& c, Side side, std::string_view bytes, std::uint32_t wire_length,
                             Micros at) {
  Direction& d = c.dir[static_cast<int>(side)];
  if (!bytes.empty()) c.handler->on_data(side, bytes, at);
  if (wire_length > bytes.size()) {
    const std::uint64_t cut = wire_length - bytes.size();
    stats_.gap_bytes += cut;
    c.handler->on_gap(side, cut, at);
  }
  d.delivered += wire_length;
  d.next_seq += wire_length;
}

void TcpReassembler::drain(Connection& c, Side side) {
  Direction& d = c.dir[static_cast<int>(side)];
  while (!d.waiting.empty() && d.waiting.begin()->first <= d.delivered) {
    auto first = d.waiting.begin();
    const std::uint64_t offset = first->first;
    Waiting w = std::move(first->second);
    d.waiting.erase(first);
    d.waiting_bytes -= w.bytes.size();
    waiting_total_ -= w.bytes.size();
    const std::uint64_t skip = d.delivered - offset;
    if (skip >= w.wire_length) {
      stats_.duplicate_bytes += w.wire_length;
      continue;
    }
    deliver(c, side, captured_after(w.bytes, skip), static_cast<std::uint32_t>(w.wire_length - skip), w.at);
  }
}

void TcpReassembler::skip_to(Connection& c, Side side, std::uint64_t offset, Micros at) {
  Direction& d = c.dir[static_cast<int>(side)];
  if (offset <= d.delivered) return;
  const std::uint64_t length = offset - d.delivered;
  stats_.gap_bytes += length;
  c.handler->on_gap(side, length, at);
  d.delivered = offset;
  d.next_seq += static_cast<std::uint32_t>(length);
}

void TcpReassembler::on_peer_ack(Connection& c, Side side, std::uint32_t ack, Micros at) {
  // The receiver has every byte before `ack`: a hole before it that has
  // data waiting beyond it was lost by the capture, not the network.
  Direction& d = c.dir[static_cast<int>(side)];
  if (!d.started || d.waiting.empty() || d.ended) return;
  const std::int64_t delta = seq_delta(ack, d.next_seq);
  if (delta <= 0) return;
  const std::uint64_t acked = d.delivered + delta;
  while (!d.waiting.empty() && d.waiting.begin()->first < acked) {
    skip_to(c, side, d.waiting.begin()->first, at);
    drain(c, side);
  }
  if (d.fin_at && d.delivered >= *d.fin_at) end_direction(c, side, StreamEnd::fin, at);
}

void TcpReassembler::enforce_total_bound(Micros at) {
  // The oldest hole over all connections becomes a gap, until the bound holds.
  while (waiting_total_ > limits_.max_waiting_total) {
    Connection* oldest = nullptr;
    Side oldest_side = Side::originator;
    for (auto& [key, c] : connections_) {
      for (Side side : {Side::originator, Side::responder}) {
        const Direction& d = c.dir[static_cast<int>(side)];
        if (d.waiting.empty()) continue;
        if (!oldest || d.waiting.begin()->second.at <
                           oldest->dir[static_cast<int>(oldest_side)].waiting.begin()->second.at) {
          oldest = &c;
          oldest_side = side;
        }
      }
    }
    if (!oldest) return;
    skip_to(*oldest, oldest_side, oldest->dir[static_cast<int>(oldest_side)].waiting.begin()->first, at);
    drain(*oldest, oldest_side);
  }
}

void TcpReassembler::flush_direction(Connection& c, Side side, Micros at) {
  Direction& d = c.dir[static_cast<int>(side)];
  while (!d.waiting.empty()) {
    skip_to(c, side, d.waiting.begin()->first, at);
    drain(c, side);
  }
}

void TcpReassembler::release_waiting(Connection& c) {
  for (Direction& d : c.dir) {
    waiting_total_ -= d.waiting_bytes;
    d.waiting_bytes = 0;
    d.waiting.clear();
  }
}

void TcpReassembler::end_direction(Connection& c, Side side, StreamEnd how, Micros at) {
  Direction& d = c.dir[static_cast<int>(side)];
  if (d.ended) return;
  d.ended = true;
  waiting_total_ -= d.waiting_bytes;
  d.waiting_bytes = 0;
  d.waiting.clear();
  c.handler->on_end(side, how, at);
}

TcpReassembler::Table::iterator TcpReassembler::close(Table::iterator it, StreamEnd how, Micros at) {
  Connection& c = it->second;
  for (Side side : {Side::originator, Side::responder}) {
    if (c.handler->wants_data() && !c.dir[static_cast<int>(side)].ended) flush_direction(c, side, at);
    end_direction(c, side, how, at);
  }
  c.handler->on_close(at);
  least_recent_first_.erase(c.recency);
  return connections_.erase(it);
}

void TcpReassembler::expire_idle(Micros now) {
  while (!least_recent_first_.empty()) {
    auto it = connections_.find(least_recent_first_.front());
    if (it->second.last_seen + limits_.idle_timeout >= now) break;
    close(it, StreamEnd::idle, now);
  }
}

void TcpReassembler::finish(Micros at) {
  while (!least_recent_first_.empty()) close(connections_.find(least_recent_first_.front()), StreamEnd::capture_end, at);
}

}  // namespace trafficdb
