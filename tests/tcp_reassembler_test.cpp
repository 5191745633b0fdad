// TcpReassembler on its own: TcpSegment values in, the exact calls a
// StreamHandler receives out. Covers in-order and out-of-order delivery,
// retransmits and overlaps (first copy wins), sequence wraparound, streams
// without a SYN, FIN/RST ends, gaps (peer ACK, buffer bounds, end of stream,
// snaplen), the per-direction and total waiting limits, idle expiry and LRU
// eviction, a reused 4-tuple, and connections the handler stops following.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "recorder/pcap/tcp_reassembler.h"

using namespace trafficdb;

namespace {

constexpr std::uint8_t kSyn = tcp_flag::syn, kAck = tcp_flag::ack, kFin = tcp_flag::fin, kRst = tcp_flag::rst,
                       kPsh = tcp_flag::psh;
constexpr std::uint8_t kData = kPsh | kAck;

Endpoint endpoint(std::uint8_t last_octet, std::uint16_t port) {
  const unsigned char ip[4] = {10, 0, 0, last_octet};
  return Endpoint{IpAddress::v4(ip), port};
}

const char* side_name(Side s) { return s == Side::originator ? "o" : "r"; }

const char* end_name(StreamEnd how) {
  switch (how) {
    case StreamEnd::fin: return "fin";
    case StreamEnd::reset: return "reset";
    case StreamEnd::capture_end: return "capture_end";
    case StreamEnd::idle: return "idle";
    case StreamEnd::evicted: return "evicted";
    case StreamEnd::reused: return "reused";
  }
  return "?";
}

// Every call any handler receives, as one line each, in order: "<conn> data o
// 'abc' @5", "<conn> gap r 3 @7", "<conn> end o fin @9", "<conn> close @9".
// <conn> is the connection's number in order of creation.
struct Log {
  std::vector<std::string> events;
  std::vector<ConnectionInfo> opened;
  bool (*wants)(const std::string& received) = nullptr;  // per-connection wants_data(), from what it got
};

class RecordingHandler final : public StreamHandler {
 public:
  RecordingHandler(Log& log, int number) : log_(log), number_(number) {}
  void on_data(Side side, std::string_view bytes, Micros at) override {
    received_.append(bytes);
    add("data " + std::string(side_name(side)) + " '" + std::string(bytes) + "' @" + std::to_string(at));
  }
  void on_gap(Side side, std::uint64_t length, Micros at) override {
    add("gap " + std::string(side_name(side)) + " " + std::to_string(length) + " @" + std::to_string(at));
  }
  void on_end(Side side, StreamEnd how, Micros at) override {
    add("end " + std::string(side_name(side)) + " " + end_name(how) + " @" + std::to_string(at));
  }
  void on_close(Micros at) override { add("close @" + std::to_string(at)); }
  bool wants_data() const override { return !log_.wants || log_.wants(received_); }

 private:
  void add(const std::string& what) { log_.events.push_back(std::to_string(number_) + " " + what); }
  Log& log_;
  int number_;
  std::string received_;
};

StreamHandlerFactory recording_factory(Log& log) {
  return [&log](const ConnectionInfo& info) {
    log.opened.push_back(info);
    return std::make_unique<RecordingHandler>(log, static_cast<int>(log.opened.size()) - 1);
  };
}

// A client and a server; segments are added at once, so the payload only
// has to live for the call.
struct Peers {
  TcpReassembler& r;
  Endpoint client = endpoint(1, 40000), server = endpoint(2, 80);
  void send(bool from_client, std::uint32_t seq, std::string_view payload, std::uint8_t flags = kData,
            Micros at = 0, std::uint32_t ack = 0, std::uint32_t wire_length = 0) {
    TcpSegment s;
    s.src = from_client ? client : server;
    s.dst = from_client ? server : client;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload = payload;
    s.payload_length = wire_length ? wire_length : static_cast<std::uint32_t>(payload.size());
    s.at = at;
    r.add(s);
  }
  void client_sends(std::uint32_t seq, std::string_view payload, Micros at, std::uint8_t flags = kData) {
    send(true, seq, payload, flags, at);
  }
};

using Events = std::vector<std::string>;

}  // namespace

TEST_CASE("Reassembler delivers an in-order handshake, data and FINs exactly once", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.send(true, 1000, "", kSyn, 1);
  REQUIRE(log.opened.size() == 1);
  CHECK(log.opened[0].saw_syn);
  CHECK(log.opened[0].originator == p.client);
  CHECK(log.opened[0].responder == p.server);
  CHECK(log.opened[0].opened_at == 1);
  p.send(false, 5000, "", kSyn | kAck, 2, 1001);
  p.send(true, 1001, "", kAck, 3, 5001);
  p.send(true, 1001, "GET / HTTP/1.1\r\n", kData, 4, 5001);
  p.send(true, 1017, "\r\n", kData, 5, 5001);
  p.send(false, 5001, "HTTP/1.1 200 OK\r\n\r\n", kData, 6, 1019);
  p.send(true, 1019, "", kFin | kAck, 7, 5020);
  CHECK(r.open_connections() == 1);
  p.send(false, 5020, "", kFin | kAck, 8, 1020);
  CHECK(log.events == Events{"0 data o 'GET / HTTP/1.1\r\n' @4", "0 data o '\r\n' @5",
                             "0 data r 'HTTP/1.1 200 OK\r\n\r\n' @6", "0 end o fin @7", "0 end r fin @8",
                             "0 close @8"});
  CHECK(r.open_connections() == 0);
  CHECK(r.stats().segments == 8);
  CHECK(r.stats().connections == 1);
  CHECK(r.stats().duplicate_bytes == 0);
  CHECK(r.stats().gap_bytes == 0);
}

TEST_CASE("Reassembler holds out-of-order segments until the hole before them fills", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.client_sends(107, "ghi", 2);
  p.client_sends(104, "def", 3);
  CHECK(log.events.empty());
  p.client_sends(101, "abc", 4);
  // Each piece keeps the time of the segment that carried it.
  CHECK(log.events == Events{"0 data o 'abc' @4", "0 data o 'def' @3", "0 data o 'ghi' @2"});
  CHECK(r.stats().duplicate_bytes == 0);
}

TEST_CASE("Reassembler keeps the first copy of retransmitted and overlapping bytes", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.client_sends(101, "abcdef", 2);
  p.client_sends(101, "abcdef", 3);   // a plain retransmit: all duplicate
  p.client_sends(104, "XYZghi", 4);   // overlaps the last 3 delivered bytes
  CHECK(log.events == Events{"0 data o 'abcdef' @2", "0 data o 'ghi' @4"});
  CHECK(r.stats().duplicate_bytes == 9);

  // With a hole: a waiting piece wins over a later copy of the same bytes.
  log.events.clear();
  p.client_sends(112, "MNOP", 5);      // 110..111 missing
  p.client_sends(113, "nopQRS", 6);    // 113..115 already waiting
  p.client_sends(110, "jkLmnopqrst", 7);  // covers the hole and everything waiting, and 2 bytes more
  CHECK(log.events == Events{"0 data o 'jk' @7", "0 data o 'MNOP' @5", "0 data o 'QRS' @6", "0 data o 'st' @7"});
  CHECK(r.stats().duplicate_bytes == 9 + 3 + 7);
  CHECK(r.stats().gap_bytes == 0);
}

TEST_CASE("Reassembler splits a segment around bytes already waiting", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.client_sends(104, "DEF", 2);
  p.client_sends(101, "abcdefghi", 3);
  CHECK(log.events == Events{"0 data o 'abc' @3", "0 data o 'DEF' @2", "0 data o 'ghi' @3"});
  CHECK(r.stats().duplicate_bytes == 3);
}

TEST_CASE("Reassembler follows sequence numbers across the 2^32 wraparound", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(0xFFFFFFFDu, "", 1, kSyn);  // first data byte at 0xFFFFFFFE
  p.client_sends(0xFFFFFFFEu, "abcd", 2);    // 0xFFFFFFFE .. 0x00000001
  p.client_sends(0x0000000Au, "mnop", 3);    // waits for 0x6 .. 0x9
  p.client_sends(0x00000002u, "efgh", 4);
  p.client_sends(0x00000006u, "ijkl", 5);
  p.client_sends(0x0000000Eu, "", 6, kFin | kAck);
  CHECK(log.events == Events{"0 data o 'abcd' @2", "0 data o 'efgh' @4", "0 data o 'ijkl' @5",
                             "0 data o 'mnop' @3", "0 end o fin @6"});
  CHECK(r.stats().gap_bytes == 0);
}

TEST_CASE("Reassembler starts a stream without a SYN at its first segment seen", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.send(false, 7000, "", kAck, 1, 3000);  // a bare ACK of a connection not followed: no handler
  CHECK(log.opened.empty());
  CHECK(r.open_connections() == 0);
  p.send(false, 7000, "HTTP/1.1 200 OK\r\n", kData, 2, 3000);
  REQUIRE(log.opened.size() == 1);
  CHECK_FALSE(log.opened[0].saw_syn);
  CHECK(log.opened[0].originator == p.server);  // the sender of the first segment seen
  CHECK(log.opened[0].responder == p.client);
  p.send(true, 3000, "more", kData, 3, 7017);
  p.send(false, 6990, "0123456789", kData, 4);  // wholly before the first byte seen
  p.send(false, 6995, "xxxxxHTTP/1.1 200 OK\r\nDate", kData, 5);  // starts before it, ends past what was delivered
  CHECK(log.events == Events{"0 data o 'HTTP/1.1 200 OK\r\n' @2", "0 data r 'more' @3", "0 data o 'Date' @5"});
  CHECK(r.stats().duplicate_bytes == 10 + 22);
}

TEST_CASE("Reassembler takes the receiver of a SYN-ACK seen first as the client", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.send(false, 5000, "", kSyn | kAck, 1, 1001);
  REQUIRE(log.opened.size() == 1);
  CHECK(log.opened[0].saw_syn);
  CHECK(log.opened[0].originator == p.client);
  CHECK(log.opened[0].responder == p.server);
  p.send(true, 1001, "GET", kData, 2, 5001);
  p.send(false, 5001, "HTTP", kData, 3, 1004);
  CHECK(log.events == Events{"0 data o 'GET' @2", "0 data r 'HTTP' @3"});
}

TEST_CASE("Reassembler ends a direction at a FIN only once every byte before it arrived", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.client_sends(101, "abc", 2);
  p.client_sends(107, "ghi", 3, kFin | kAck);  // FIN after 109, but 104..106 are missing
  CHECK(log.events == Events{"0 data o 'abc' @2"});
  p.client_sends(104, "def", 4);
  CHECK(log.events == Events{"0 data o 'abc' @2", "0 data o 'def' @4", "0 data o 'ghi' @3", "0 end o fin @4"});
  CHECK(r.open_connections() == 1);  // the other direction is still open
  p.client_sends(110, "late", 5);  // after the FIN: not delivered
  r.finish(9);
  CHECK(log.events.size() == 6);
  CHECK(log.events[4] == "0 end r capture_end @9");
  CHECK(log.events[5] == "0 close @9");
  CHECK(r.open_connections() == 0);
}

TEST_CASE("Reassembler ends both directions at an RST, after flushing what waits as a gap", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.send(true, 100, "", kSyn, 1);
  p.send(false, 500, "", kSyn | kAck, 2, 101);
  p.send(true, 101, "ab", kData, 3);
  p.send(true, 105, "xyz", kData, 4);  // 103..104 missing
  p.send(false, 501, "ok", kData, 5);
  p.send(false, 503, "", kRst, 6);
  CHECK(log.events == Events{"0 data o 'ab' @3", "0 data r 'ok' @5", "0 gap o 2 @6", "0 data o 'xyz' @4",
                             "0 end o reset @6", "0 end r reset @6", "0 close @6"});
  CHECK(r.open_connections() == 0);
  CHECK(r.stats().gap_bytes == 2);

  // An RST for a connection not followed opens nothing.
  p.send(true, 900, "", kRst, 7);
  CHECK(log.opened.size() == 1);
  CHECK(r.open_connections() == 0);
}

TEST_CASE("Reassembler declares a hole a gap once the peer acknowledges past it", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.send(true, 100, "", kSyn, 1);
  p.send(false, 500, "", kSyn | kAck, 2, 101);
  p.send(true, 101, "abc", kData, 3);
  p.send(true, 107, "ghi", kData, 4);  // 104..106 missing
  p.send(false, 501, "", kAck, 5, 104);  // acknowledges only what was delivered: nothing to do
  CHECK(log.events == Events{"0 data o 'abc' @3"});
  p.send(false, 501, "", kAck, 6, 110);  // the receiver had it all: the capture lost 3 bytes
  CHECK(log.events == Events{"0 data o 'abc' @3", "0 gap o 3 @6", "0 data o 'ghi' @4"});
  CHECK(r.stats().gap_bytes == 3);
}

TEST_CASE("Reassembler reports a hole still open at the end of the capture as a gap", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.client_sends(101, "a", 2);
  p.client_sends(110, "j", 3);   // 102..109 missing
  p.client_sends(112, "l", 4);   // 111 missing
  r.finish(20);
  CHECK(log.events == Events{"0 data o 'a' @2", "0 gap o 8 @20", "0 data o 'j' @3", "0 gap o 1 @20",
                             "0 data o 'l' @4", "0 end o capture_end @20", "0 end r capture_end @20",
                             "0 close @20"});
  CHECK(r.stats().gap_bytes == 9);
}

TEST_CASE("Reassembler reports payload cut by the snaplen as a gap after the bytes captured", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.send(true, 101, "abc", kData, 2, 0, 10);  // 10 bytes on the wire, 3 captured
  p.client_sends(111, "next", 3);
  CHECK(log.events == Events{"0 data o 'abc' @2", "0 gap o 7 @2", "0 data o 'next' @3"});
  CHECK(r.stats().gap_bytes == 7);
}

TEST_CASE("Reassembler turns the oldest hole into a gap past max_waiting_bytes of one direction",
          "[tcp_reassembler]") {
  Log log;
  ReassemblyLimits limits;
  limits.max_waiting_bytes = 10;
  TcpReassembler r(recording_factory(log), limits);
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.client_sends(101, "a", 2);
  p.client_sends(105, "0123456789", 3);  // 102..104 missing; exactly the limit waits
  CHECK(log.events == Events{"0 data o 'a' @2"});
  p.client_sends(116, "Y", 4);  // 115 missing too; 11 bytes would wait
  CHECK(log.events == Events{"0 data o 'a' @2", "0 gap o 3 @4", "0 data o '0123456789' @3"});
  p.client_sends(115, "X", 5);  // the later hole fills in time
  CHECK(log.events.back() == "0 data o 'Y' @4");
  CHECK(log.events.size() == 5);
  CHECK(r.stats().gap_bytes == 3);
}

TEST_CASE("Reassembler turns holes into gaps once waiting bytes over all connections pass max_waiting_total",
          "[tcp_reassembler]") {
  Log log;
  ReassemblyLimits limits;
  limits.max_waiting_total = 10;
  TcpReassembler r(recording_factory(log), limits);
  Peers a{r}, b{r, endpoint(1, 40001)};
  a.client_sends(100, "", 1, kSyn);
  a.client_sends(103, "AAAAAA", 2);  // 101..102 missing; 6 bytes wait
  b.client_sends(200, "", 3, kSyn);
  b.client_sends(203, "BBBB", 4);    // 201..202 missing; 10 wait in all
  CHECK(log.events.empty());
  b.client_sends(209, "bb", 5);      // 207..208 missing; 12 would wait
  // Some hole became a gap and bytes behind it were delivered: no more than the limit still waits.
  std::size_t gaps = 0, delivered = 0;
  for (const std::string& e : log.events) {
    gaps += e.find(" gap ") != std::string::npos;
    if (e.find(" data ") != std::string::npos) delivered += e.rfind('\'') - e.find('\'') - 1;
  }
  CHECK(gaps >= 1);
  CHECK(12 - delivered <= 10);
  r.finish(9);
  CHECK(r.stats().gap_bytes == 2 + 2 + 2);
}

// The header's contract: past max_waiting_total the oldest hole, over all
// connections, becomes a gap (not every hole of the direction that overflowed).
TEST_CASE("Reassembler declares the oldest hole over all connections a gap past max_waiting_total",
          "[tcp_reassembler]") {
  Log log;
  ReassemblyLimits limits;
  limits.max_waiting_total = 10;
  TcpReassembler r(recording_factory(log), limits);
  Peers a{r}, b{r, endpoint(1, 40001)};
  a.client_sends(100, "", 1, kSyn);
  a.client_sends(103, "AAAAAA", 2);  // connection 0: the oldest hole, since @2
  b.client_sends(200, "", 3, kSyn);
  b.client_sends(203, "BBBB", 4);    // connection 1
  b.client_sends(209, "bb", 5);      // 12 bytes would wait
  CHECK(log.events == Events{"0 gap o 2 @5", "0 data o 'AAAAAA' @2"});
}

TEST_CASE("Reassembler ends connections idle for longer than idle_timeout", "[tcp_reassembler]") {
  Log log;
  ReassemblyLimits limits;
  limits.idle_timeout = 1000;
  TcpReassembler r(recording_factory(log), limits);
  Peers a{r}, b{r, endpoint(1, 40001)};
  a.client_sends(100, "", 0, kSyn);
  a.client_sends(101, "a", 10);
  a.client_sends(104, "d", 20);  // a hole at 102..103: flushed as a gap when it ends
  b.client_sends(200, "", 500, kSyn);
  r.expire_idle(1020);  // a was last seen at 20: not yet
  CHECK(r.open_connections() == 2);
  r.expire_idle(1021);
  CHECK(r.open_connections() == 1);
  CHECK(log.events == Events{"0 data o 'a' @10", "0 gap o 2 @1021", "0 data o 'd' @20", "0 end o idle @1021",
                             "0 end r idle @1021", "0 close @1021"});

  // A segment's own time expires the others too.
  log.events.clear();
  a.client_sends(300, "", 1600, kSyn);  // a new connection (number 2) on a's old ports
  CHECK(log.events == Events{"1 end o idle @1600", "1 end r idle @1600", "1 close @1600"});
  CHECK(r.open_connections() == 1);
}

TEST_CASE("Reassembler evicts the least recently active connection past max_connections", "[tcp_reassembler]") {
  Log log;
  ReassemblyLimits limits;
  limits.max_connections = 2;
  TcpReassembler r(recording_factory(log), limits);
  Peers a{r}, b{r, endpoint(1, 40001)}, c{r, endpoint(1, 40002)};
  a.client_sends(100, "", 1, kSyn);
  b.client_sends(200, "", 2, kSyn);
  a.client_sends(101, "a", 3);  // a is now more recent than b
  c.client_sends(300, "", 4, kSyn);
  CHECK(r.open_connections() == 2);
  CHECK(r.stats().evicted == 1);
  CHECK(log.events == Events{"0 data o 'a' @3", "1 end o evicted @4", "1 end r evicted @4", "1 close @4"});
  b.client_sends(201, "b", 5);  // b is gone: its data opens a new connection, evicting a
  REQUIRE(log.opened.size() == 4);
  CHECK_FALSE(log.opened[3].saw_syn);
  CHECK(log.events.back() == "3 data o 'b' @5");
  CHECK(log.events[log.events.size() - 2] == "0 close @5");
}

TEST_CASE("Reassembler ends a connection whose ports a new SYN reuses", "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.client_sends(100, "", 2, kSyn);  // the SYN retransmitted: same connection
  CHECK(log.opened.size() == 1);
  p.client_sends(101, "abc", 3);
  p.client_sends(9000, "", 4, kSyn);  // a new ISN after data: a new connection
  REQUIRE(log.opened.size() == 2);
  p.client_sends(9001, "xyz", 5);
  CHECK(log.events == Events{"0 data o 'abc' @3", "0 end o reused @4", "0 end r reused @4", "0 close @4",
                             "1 data o 'xyz' @5"});
}

TEST_CASE("Reassembler drops segments further ahead than max_jump", "[tcp_reassembler]") {
  Log log;
  ReassemblyLimits limits;
  limits.max_jump = 1000;
  TcpReassembler r(recording_factory(log), limits);
  Peers p{r};
  p.client_sends(100, "", 1, kSyn);
  p.client_sends(101 + 1001, "far", 2);
  p.client_sends(101 + 1000, "near", 3);  // waits: within the window
  p.client_sends(101, "a", 4);
  CHECK(r.stats().out_of_window == 1);
  r.finish(5);
  CHECK(log.events == Events{"0 data o 'a' @4", "0 gap o 999 @5", "0 data o 'near' @3",
                             "0 end o capture_end @5", "0 end r capture_end @5", "0 close @5"});
}

TEST_CASE("Reassembler stops buffering and delivering once the handler no longer wants data",
          "[tcp_reassembler]") {
  Log log;
  log.wants = [](const std::string& received) { return received.find("STOP") == std::string::npos; };
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.send(true, 100, "", kSyn, 1);
  p.send(false, 500, "", kSyn | kAck, 2, 101);
  p.send(true, 101, "STOP", kData, 3);
  p.send(true, 110, "waits", kData, 4);  // out of order: not kept
  p.send(true, 105, "more", kData, 5);
  p.send(false, 501, "reply", kData, 6);
  p.send(true, 115, "", kFin | kAck, 7);
  p.send(false, 506, "", kFin | kAck, 8);
  CHECK(log.events == Events{"0 data o 'STOP' @3", "0 end o fin @7", "0 end r fin @8", "0 close @8"});
  CHECK(r.open_connections() == 0);
}

// "The first copy of a byte wins", also for a retransmit that reaches back
// before the first byte seen of a stream without a SYN.
TEST_CASE("Reassembler fills a hole from a retransmit that starts before the first byte seen",
          "[tcp_reassembler]") {
  Log log;
  TcpReassembler r(recording_factory(log));
  Peers p{r};
  p.client_sends(1000, "abc", 1);  // no SYN: the stream starts here
  p.client_sends(1006, "ghi", 2);  // 1003..1005 missing
  p.client_sends(997, "xyzabcdefghi", 3);  // the sender retransmits from further back
  r.finish(4);
  std::string data;
  for (const std::string& e : log.events)
    if (e.rfind("0 data o '", 0) == 0) data += e.substr(10, e.rfind('\'') - 10);
  CHECK(data == "abcdefghi");
  CHECK(r.stats().gap_bytes == 0);
}
