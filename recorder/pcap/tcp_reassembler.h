// TcpReassembler: TCP segments back into the two byte streams of each
// connection, as Zeek's reassembler does it.
//
// Per direction, bytes are delivered in order exactly once:
// - out-of-order segments wait until the hole before them fills;
// - retransmits and overlaps are trimmed: the first copy of a byte wins;
// - sequence numbers wrap around 2^32;
// - a stream without a SYN starts at the first segment seen;
// - FIN ends a direction once every byte before it is delivered; RST ends both;
// - a hole that is never filled becomes a gap (on_gap, with its length): when
//   the peer acknowledges data past it, when the waiting bytes exceed their
//   bound, or when the stream ends; snaplen-cut payload is a gap too.
//
// Memory is bounded: at most max_waiting_bytes wait per direction and
// max_waiting_total over all connections (past either, the oldest hole is
// declared a gap); at most max_connections are tracked (the least recently
// active is ended first); connections idle for idle_timeout of capture time
// are ended by expire_idle().
//
// Each connection gets a StreamHandler from the factory when its first
// segment with payload (or a SYN) arrives; on_close is its last call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/timestamp.h"
#include "recorder/pcap/packet_decoder.h"

namespace trafficdb {

// The side that sent the connection's first segment seen (the SYN, when seen).
enum class Side : std::uint8_t { originator = 0, responder = 1 };
inline Side other(Side s) { return s == Side::originator ? Side::responder : Side::originator; }

enum class StreamEnd : std::uint8_t {
  fin,          // the sender closed it
  reset,        // RST from either side
  capture_end,  // the capture ended (or stopped) with the stream open
  idle,         // nothing seen for idle_timeout
  evicted,      // too many connections tracked at once
  reused,       // a new SYN on the same addresses and ports replaced it
};

struct ConnectionInfo {
  Endpoint originator, responder;
  bool saw_syn = false;  // the originator's SYN was seen: it is the client
  Micros opened_at = 0;  // time of its first segment
};

class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  virtual void on_data(Side side, std::string_view bytes, Micros at) = 0;
  virtual void on_gap(Side side, std::uint64_t length, Micros at) = 0;
  virtual void on_end(Side side, StreamEnd how, Micros at) = 0;
  virtual void on_close(Micros at) = 0;
  // False once the handler ignores this connection: its bytes are then
  // neither buffered nor delivered.
  virtual bool wants_data() const { return true; }
};

using StreamHandlerFactory = std::function<std::unique_ptr<StreamHandler>(const ConnectionInfo&)>;

struct ReassemblyLimits {
  std::size_t max_waiting_bytes = 8u << 20;   // per direction
  std::size_t max_waiting_total = 64u << 20;  // over all connections
  std::size_t max_connections = 100000;
  Micros idle_timeout = 600'000'000;          // 10 minutes of capture time
  std::uint32_t max_jump = 64u << 20;         // a segment further ahead than this is not of this stream
};

struct ReassemblyStats {
  std::uint64_t segments = 0;
  std::uint64_t connections = 0;
  std::uint64_t duplicate_bytes = 0;   // retransmitted or overlapping, dropped
  std::uint64_t gap_bytes = 0;         // never seen
  std::uint64_t out_of_window = 0;     // segments too far from the stream to place
  std::uint64_t evicted = 0;
};

class TcpReassembler {
 public:
  TcpReassembler(StreamHandlerFactory factory, ReassemblyLimits limits = {});
  ~TcpReassembler();
  TcpReassembler(const TcpReassembler&) = delete;
  TcpReassembler& operator=(const TcpReassembler&) = delete;

  void add(const TcpSegment& segment);

  // Ends connections with nothing seen since before now - idle_timeout.
  void expire_idle(Micros now);

  // End of capture: every hole becomes a gap and every connection ends.
  void finish(Micros at);

  std::size_t open_connections() const { return connections_.size(); }
  const ReassemblyStats& stats() const { return stats_; }

 private:
  struct Waiting {
    std::string bytes;            // captured bytes
    std::uint32_t wire_length;    // >= bytes.size(): the rest was cut by the snaplen
    Micros at;
  };
  struct Direction {
    bool started = false;
    bool ended = false;
    std::uint32_t next_seq = 0;       // the next byte to deliver
    std::uint64_t delivered = 0;      // stream offset of next_seq
    std::map<std::uint64_t, Waiting> waiting;  // by stream offset
    std::size_t waiting_bytes = 0;
    std::optional<std::uint64_t> fin_at;  // stream offset of the FIN
  };
  struct Key {
    Endpoint a, b;  // a < b
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Connection {
    ConnectionInfo info;
    Direction dir[2];
    std::unique_ptr<StreamHandler> handler;
    Micros last_seen = 0;
    std::list<Key>::iterator recency;
  };
  using Table = std::unordered_map<Key, Connection, KeyHash>;

  void add_to_direction(Connection& c, Side side, const TcpSegment& s);
  void insert_waiting(Connection& c, Side side, std::uint64_t offset, std::string_view bytes,
                      std::uint32_t wire_length, Micros at);
  void deliver(Connection& c, Side side, std::string_view bytes, std::uint32_t wire_length, Micros at);
  void drain(Connection& c, Side side);
  void skip_to(Connection& c, Side side, std::uint64_t offset, Micros at);
  void on_peer_ack(Connection& c, Side side, std::uint32_t ack, Micros at);
  void end_direction(Connection& c, Side side, StreamEnd how, Micros at);
  void flush_direction(Connection& c, Side side, Micros at);
  void release_waiting(Connection& c);
  void enforce_total_bound(Micros at);
  Table::iterator close(Table::iterator it, StreamEnd how, Micros at);
  Table::iterator open(const Key& key, const TcpSegment& s);

  StreamHandlerFactory factory_;
  ReassemblyLimits limits_;
  Table connections_;
  std::list<Key> least_recent_first_;
  std::size_t waiting_total_ = 0;
  ReassemblyStats stats_;
};

}  // namespace trafficdb
