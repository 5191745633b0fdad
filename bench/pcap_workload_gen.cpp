// The connection simulation behind the pcap workload; see pcap_workload_gen.h.
//
// Each of `connections` slots runs one TCP connection at a time and, when it
// ends, opens the next. A connection builds the packets of one phase at a
// time (handshake, one exchange, teardown) with capture timestamps as seen
// next to the clients (a client's packets when sent, a server's one round
// trip after the request), sorted by time into its queue; a min-heap over
// the slots' next packets writes everything in global time order.

#include "pcap_workload_gen.h"

#include <algorithm>
#include <array>
#include <deque>
#include <memory>
#include <queue>
#include <string_view>
#include <utility>
#include <vector>

#include "pcap_file_writer.h"
#include "pcap_http_messages.h"
#include "workload_random.h"

namespace bench::pcap_workload {
namespace {

constexpr std::size_t kMss = 1448;                         // 1460 minus the 12 bytes of the timestamps option
constexpr std::int64_t kStartUs = 1710151200LL * 1000000;  // 2024-03-11 10:00:00 UTC
constexpr std::int64_t kDelayedAckUs = 40000;
constexpr std::uint16_t kSynWindow = 64240;
constexpr std::uint16_t kWindow = 502;  // scaled by 2^7: 64256 bytes
constexpr std::uint8_t kWindowScale = 7;
constexpr int kInitialFlight = 10;  // segments, doubling per round trip
constexpr int kMaxFlight = 44;      // what the advertised window allows
constexpr double kMeanExchangesPerConnection = 10;
constexpr double kMeanThinkGapUs = 250000;  // client, between exchanges on a connection
constexpr double kMeanIdleUs = 1000000;     // after the last exchange, before closing
constexpr double kAbortedConnectionShare = 0.02;
constexpr double kWrappingIsnShare = 0.005;  // server ISN just below 2^32: sequence numbers wrap
constexpr std::array<std::uint8_t, 6> kRouterMac = {0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e};

struct Packet {
  std::int64_t time_us = 0;
  bool from_client = true;
  std::uint8_t flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::string_view payload;
};

struct Side {
  Ipv4Endpoint endpoint;
  std::uint32_t next_seq = 0;
  std::uint16_t ip_id = 0;
  std::uint8_t ttl = 64;
  std::uint32_t ts_base = 0;
};

enum class Phase { opening, exchanging, closing, closed };

struct Connection {
  const Host* host = nullptr;
  const Client* client = nullptr;
  Side client_side, server_side;
  std::int64_t spacing_us = 0;  // between back-to-back segments
  int flight = kInitialFlight;
  std::uint64_t exchanges_left = 0;
  bool abort_last = false;
  Phase phase = Phase::opening;
  std::int64_t clock_us = 0;     // time of the last packet built
  std::int64_t next_gap_us = 0;  // before the next exchange or the teardown
  std::deque<Packet> queue;
  HttpExchange exchange;
  std::string request_wire, response_wire;  // what queued payloads point into
};

class WorkloadWriter {
 public:
  WorkloadWriter(const std::string& path, const WorkloadOptions& o)
      : rng_(o.seed), messages_(rng_, o.profile == WorkloadProfile::api_json), pcap_(path), slots_(o.connections), unassigned_(o.exchanges) {
    counts_.seed = o.seed;
    client_ports_.resize(messages_.clients().size());
    for (std::uint16_t& port : client_ports_) port = static_cast<std::uint16_t>(rng_.range(32768, 60999));
    for (const Host& h : messages_.hosts()) host_weights_.push_back(h.weight);
  }

  WorkloadCounts run() {
    using Next = std::pair<std::int64_t, std::size_t>;  // time of a slot's next packet, slot
    std::priority_queue<Next, std::vector<Next>, std::greater<>> heap;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      slots_[i] = std::make_unique<Connection>();
      if (open(*slots_[i], kStartUs + static_cast<std::int64_t>(rng_.range(0, 200000))))
        heap.emplace(slots_[i]->queue.front().time_us, i);
    }
    while (!heap.empty()) {
      const std::size_t slot = heap.top().second;
      heap.pop();
      Connection& c = *slots_[slot];
      write(c, c.queue.front());
      c.queue.pop_front();
      if (c.queue.empty() && !advance(c)) continue;  // the slot has no more work
      heap.emplace(c.queue.front().time_us, slot);
    }
    pcap_.close();
    counts_.packets = pcap_.packets();
    counts_.file_bytes = pcap_.bytes();
    return counts_;
  }

 private:
  // Starts a new connection in `c` at `t`; false when every exchange has been
  // assigned to a connection already.
  bool open(Connection& c, std::int64_t t) {
    if (unassigned_ == 0) return false;
    const std::size_t client_index = rng_.index(messages_.clients().size());
    const Client& client = messages_.clients()[client_index];
    c.client = &client;
    c.host = &messages_.hosts()[rng_.weighted(host_weights_)];
    c.exchanges_left = std::min<std::uint64_t>(
        {1 + static_cast<std::uint64_t>(rng_.exponential(kMeanExchangesPerConnection - 1)), 200, unassigned_});
    unassigned_ -= c.exchanges_left;
    c.abort_last = rng_.chance(kAbortedConnectionShare);
    std::uint16_t& port = client_ports_[client_index];
    port = static_cast<std::uint16_t>(port >= 60999 ? 32768 : port + 1);
    c.client_side.endpoint = {{0x02, 0x00, 0xc0, 0xa8, 0x01, static_cast<std::uint8_t>(client.ip)}, client.ip, port};
    c.server_side.endpoint = {kRouterMac, c.host->ip, c.host->port};
    c.client_side.next_seq = static_cast<std::uint32_t>(rng_.bits());
    c.server_side.next_seq = rng_.chance(kWrappingIsnShare) ? static_cast<std::uint32_t>(0 - rng_.range(1, 200000))
                                                            : static_cast<std::uint32_t>(rng_.bits());
    c.client_side.ip_id = static_cast<std::uint16_t>(rng_.bits());
    c.server_side.ip_id = static_cast<std::uint16_t>(rng_.bits());
    c.client_side.ttl = 64;
    c.server_side.ttl = c.host->ttl;
    c.client_side.ts_base = static_cast<std::uint32_t>(rng_.bits());
    c.server_side.ts_base = static_cast<std::uint32_t>(rng_.bits());
    c.spacing_us = static_cast<std::int64_t>(rng_.range(15, 150));
    c.flight = kInitialFlight;
    c.phase = Phase::opening;
    c.clock_us = t;
    ++counts_.connections;
    return advance(c);
  }

  // Builds the connection's next phase into its (empty) queue; when the
  // connection is over, opens the slot's next one. False when the slot is done.
  bool advance(Connection& c) {
    std::vector<Packet> batch;
    switch (c.phase) {
      case Phase::opening:
        handshake(c, batch);
        c.phase = Phase::exchanging;
        break;
      case Phase::exchanging:
        exchange(c, batch);
        if (--c.exchanges_left == 0 && c.phase != Phase::closed) c.phase = Phase::closing;
        break;
      case Phase::closing:
        teardown(c, batch);
        c.phase = Phase::closed;
        break;
      case Phase::closed:
        return open(c, c.clock_us + static_cast<std::int64_t>(rng_.exponential(100000)));
    }
    std::stable_sort(batch.begin(), batch.end(),
                     [](const Packet& a, const Packet& b) { return a.time_us < b.time_us; });
    for (const Packet& p : batch) c.queue.push_back(p);
    c.clock_us = std::max(c.clock_us, batch.back().time_us);
    return true;
  }

  Packet control(const Connection& c, bool from_client, std::int64_t t, std::uint8_t flags) const {
    const Side& from = from_client ? c.client_side : c.server_side;
    const Side& to = from_client ? c.server_side : c.client_side;
    return {t, from_client, flags, from.next_seq, to.next_seq, {}};
  }

  void handshake(Connection& c, std::vector<Packet>& out) {
    const std::int64_t rtt = c.host->rtt_us, t = c.clock_us;
    out.push_back({t, true, tcp_flags::syn, c.client_side.next_seq, 0, {}});
    ++c.client_side.next_seq;
    out.push_back(
        {t + rtt, false, tcp_flags::syn | tcp_flags::ack, c.server_side.next_seq, c.client_side.next_seq, {}});
    ++c.server_side.next_seq;
    out.push_back(control(c, true, t + rtt + static_cast<std::int64_t>(rng_.range(20, 80)), tcp_flags::ack));
    c.next_gap_us = static_cast<std::int64_t>(rng_.range(100, 600));
  }

  // Sends `data` from one side starting at `t`: segments of at most kMss
  // bytes, a new segment (after a pause) at each offset in `breaks`, a pause
  // of one round trip after each flight from the server; the receiver ACKs
  // every second segment. Returns the time of the last segment and sets
  // `unacked` to the segments not acknowledged yet (0 or 1).
  std::int64_t send(Connection& c, bool from_client, std::string_view data, std::int64_t t,
                    const std::vector<std::pair<std::size_t, std::int64_t>>& breaks, int& unacked,
                    std::vector<Packet>& out) {
    Side& from = from_client ? c.client_side : c.server_side;
    Side& to = from_client ? c.server_side : c.client_side;
    const std::int64_t rtt = c.host->rtt_us;
    std::size_t offset = 0, next_break = 0;
    std::int64_t last_sent = t;
    int in_flight = 0;
    unacked = 0;
    while (offset < data.size()) {
      std::size_t end = std::min(data.size(), offset + kMss);
      std::int64_t pause = 0;
      while (next_break < breaks.size() && breaks[next_break].first <= offset) ++next_break;
      if (next_break < breaks.size() && breaks[next_break].first < end) {
        end = breaks[next_break].first;
        pause = breaks[next_break].second;
      }
      const bool last_of_write = end == data.size() || pause > 0;
      out.push_back({t, from_client, static_cast<std::uint8_t>(tcp_flags::ack | (last_of_write ? tcp_flags::psh : 0)),
                     from.next_seq, to.next_seq, data.substr(offset, end - offset)});
      from.next_seq += static_cast<std::uint32_t>(end - offset);
      last_sent = t;
      offset = end;
      if (++unacked == 2) {  // the receiver's ACK: seen next to the client at once, from the server a round trip later
        const std::int64_t delay = from_client ? rtt : static_cast<std::int64_t>(rng_.range(20, 80));
        out.push_back(control(c, !from_client, t + delay, tcp_flags::ack));
        unacked = 0;
      }
      t += c.spacing_us + static_cast<std::int64_t>(rng_.range(0, 10));
      if (!from_client && ++in_flight == c.flight) {
        t += rtt;
        in_flight = 0;
        c.flight = std::min(2 * c.flight, kMaxFlight);
      }
      t += pause;
    }
    return last_sent;
  }

  void exchange(Connection& c, std::vector<Packet>& out) {
    const Host& host = *c.host;
    const std::int64_t rtt = host.rtt_us;
    std::int64_t t = c.clock_us + c.next_gap_us;
    const bool aborted = c.abort_last && c.exchanges_left == 1;
    HttpExchange& x = c.exchange;
    messages_.next(host, *c.client, t, aborted, x);
    count(x);

    // The request; with Expect: 100-continue the body follows the interim response.
    c.request_wire.assign(x.request_head).append(x.request_body);
    const std::string_view wire(c.request_wire);
    int unacked = 0;
    std::int64_t sent =
        send(c, true, x.expect_continue ? wire.substr(0, x.request_head.size()) : wire, t, {}, unacked, out);
    if (x.expect_continue) {
      const std::int64_t interim = sent + rtt + static_cast<std::int64_t>(rng_.range(100, 400));
      send(c, false, kContinueResponse, interim, {}, unacked, out);
      sent = send(c, true, wire.substr(x.request_head.size()), interim + static_cast<std::int64_t>(rng_.range(50, 200)),
                  {}, unacked, out);
    }
    const std::int64_t think = 100 + static_cast<std::int64_t>(rng_.exponential(static_cast<double>(host.think_us)));
    if (unacked && think > kDelayedAckUs) out.push_back(control(c, false, sent + rtt + kDelayedAckUs, tcp_flags::ack));
    const std::int64_t answer = sent + rtt + think;

    if (x.status == 0) {  // the server resets the connection instead of answering
      out.push_back(control(c, false, answer, tcp_flags::rst | tcp_flags::ack));
      c.phase = Phase::closed;
      return;
    }
    // The response: the head often in a segment of its own, a streamed body in pieces.
    c.response_wire.assign(x.response_head).append(x.response_body);
    std::vector<std::pair<std::size_t, std::int64_t>> breaks;
    if (rng_.chance(0.5)) breaks.emplace_back(x.response_head.size(), 0);
    for (const std::size_t p : x.pauses)
      breaks.emplace_back(x.response_head.size() + p, static_cast<std::int64_t>(rng_.range(2000, 30000)));
    const std::int64_t done = send(c, false, c.response_wire, answer, breaks, unacked, out);

    c.next_gap_us =
        static_cast<std::int64_t>(rng_.exponential(c.exchanges_left > 1 ? kMeanThinkGapUs : kMeanIdleUs) + 200);
    if (unacked && c.next_gap_us > kDelayedAckUs) out.push_back(control(c, true, done + kDelayedAckUs, tcp_flags::ack));
  }

  void teardown(Connection& c, std::vector<Packet>& out) {
    const std::int64_t rtt = c.host->rtt_us, t = c.clock_us + c.next_gap_us;
    const std::uint8_t fin = tcp_flags::fin | tcp_flags::ack;
    if (rng_.chance(0.7)) {  // the client closes
      out.push_back(control(c, true, t, fin));
      ++c.client_side.next_seq;
      out.push_back(control(c, false, t + rtt, fin));
      ++c.server_side.next_seq;
      out.push_back(control(c, true, t + rtt + static_cast<std::int64_t>(rng_.range(20, 80)), tcp_flags::ack));
    } else {  // the server's keep-alive timeout
      out.push_back(control(c, false, t, fin));
      ++c.server_side.next_seq;
      const std::int64_t reply = t + static_cast<std::int64_t>(rng_.range(50, 300));
      out.push_back(control(c, true, reply, fin));
      ++c.client_side.next_seq;
      out.push_back(control(c, false, reply + rtt, tcp_flags::ack));
    }
  }

  void count(const HttpExchange& x) {
    ++counts_.exchanges;
    ++counts_.kinds[std::string(kind_name(x.kind))];
    ++counts_.methods[x.method];
    counts_.request_body_bytes += x.request_body.size();
    if (x.expect_continue) ++counts_.continues;
    if (x.status == 0) {
      ++counts_.aborted;
      return;
    }
    ++counts_.responses;
    ++counts_.statuses[x.status];
    counts_.response_body_bytes += x.decoded_response_bytes;
    if (x.chunked) ++counts_.chunked;
    if (x.gzip) ++counts_.gzip;
  }

  void write(Connection& c, const Packet& p) {
    Side& from = p.from_client ? c.client_side : c.server_side;
    const Side& to = p.from_client ? c.server_side : c.client_side;
    const bool syn = (p.flags & tcp_flags::syn) != 0;
    // TCP timestamps in milliseconds; a server stamps when it sent, half a round trip earlier.
    const std::int64_t half_rtt = c.host->rtt_us / 2;
    const auto ms = [](std::int64_t us) { return static_cast<std::uint32_t>(us / 1000); };
    const std::uint32_t tsval = from.ts_base + ms(p.time_us - (p.from_client ? 0 : half_rtt));
    const std::uint32_t tsecr = p.flags == tcp_flags::syn ? 0 : to.ts_base + ms(p.time_us - half_rtt);
    // SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale, as Linux
    // sends them; later segments: NOP, NOP, timestamps.
    static constexpr std::uint8_t kSynOptions[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                                     0, 0, 0,    0,    0, 0, 1, 3,  3, kWindowScale};
    static constexpr std::uint8_t kOptions[12] = {1, 1, 8, 10};
    std::array<std::uint8_t, 20> options{};
    const std::size_t n = syn ? sizeof kSynOptions : sizeof kOptions;
    std::copy_n(syn ? kSynOptions : kOptions, n, options.begin());
    std::uint8_t* ts = options.data() + (syn ? 8 : 4);
    for (int i = 0; i < 4; ++i) {
      ts[i] = static_cast<std::uint8_t>(tsval >> (24 - 8 * i));
      ts[4 + i] = static_cast<std::uint8_t>(tsecr >> (24 - 8 * i));
    }
    TcpSegment s;
    s.time_us = p.time_us;
    s.src = &from.endpoint;
    s.dst = &to.endpoint;
    s.ttl = from.ttl;
    s.ip_id = from.ip_id++;
    s.seq = p.seq;
    s.ack = p.ack;
    s.flags = p.flags;
    s.window = syn ? kSynWindow : kWindow;
    s.options = std::string_view(reinterpret_cast<const char*>(options.data()), n);
    s.payload = p.payload;
    pcap_.write(s);
    if (counts_.first_packet_us == 0) counts_.first_packet_us = p.time_us;
    counts_.last_packet_us = p.time_us;
  }

  WorkloadRandom rng_;
  HttpMessages messages_;
  PcapFileWriter pcap_;
  std::vector<std::unique_ptr<Connection>> slots_;
  std::uint64_t unassigned_;  // exchanges not given to a connection yet
  std::vector<std::uint16_t> client_ports_;
  std::vector<double> host_weights_;
  WorkloadCounts counts_;
};

}  // namespace

WorkloadCounts generate_workload(const std::string& path, const WorkloadOptions& options) {
  WorkloadCounts counts = WorkloadWriter(path, options).run();
  save_counts(counts, counts_path(path));
  return counts;
}

std::optional<WorkloadProfile> parse_profile(std::string_view name) {
  if (name == "mixed") return WorkloadProfile::mixed;
  if (name == "api-json") return WorkloadProfile::api_json;
  return std::nullopt;
}

std::string_view profile_name(WorkloadProfile profile) {
  return profile == WorkloadProfile::api_json ? "api-json" : "mixed";
}

}  // namespace bench::pcap_workload
