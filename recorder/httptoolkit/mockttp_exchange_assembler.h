// MockttpExchangeAssembler: turns the stream of Mockttp events into
// Exchanges, pairing each request with what ends it.
//
// Events are matched by Mockttp's id (a WebSocket's `streamId` is its
// upgrade request's id). An exchange is handed to the sink once:
//   - requestReceived + responseCompleted: a whole exchange;
//   - requestAborted: what was seen of it, `error` saying it was aborted (a
//     request aborted before its body completed has only this event);
//   - failedClientRequest / failedTlsRequest: one event each, `error`
//     saying what failed (an unparseable request, a refused handshake);
//   - webSocketRequest + webSocketAccepted + messages + webSocketClose: the
//     upgrade exchange with its messages in time order (each direction
//     comes on its own subscription); an abort ends it too.
// An event that arrives before its request (the subscriptions are separate
// streams) is held until the request comes. An event for an id already
// stored (a response after the abort, messages of an evicted WebSocket) is
// counted as late and dropped.
//
// Memory is bounded: at most max_open requests and WebSockets are open, and
// they hold at most max_open_bytes (bodies, messages, held events). Past
// either bound the oldest is stored now, with an error saying why (an entry
// that is only held events, its request never seen, is dropped and counted).
// store_open() stores everything still open, e.g. when recording stops.
//
// Bodies are decoded (base64, then content coding) and kept up to
// max_body_bytes. source_key is Mockttp's id. `details` holds tags, the
// matched rule, destination, Mockttp's raw timing events, trailers, the
// abort / client / TLS error facts, the WebSocket close, and caveats about
// fields that could not be read (docs/schema.md lists the keys).
//
// Not thread-safe: one thread feeds it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "model/exchange_sink.h"
#include "recorder/httptoolkit/mockttp_event_fields.h"
#include "recorder/httptoolkit/mockttp_subscriptions.h"

namespace trafficdb::mockttp {

struct AssemblerOptions {
  std::uint64_t max_body_bytes = 32u << 20;
  std::size_t max_open = 10000;
  std::uint64_t max_open_bytes = 256u << 20;
  std::size_t remembered_ids = 10000;  // ids of stored exchanges whose late events are recognised
};

struct AssemblerStats {
  std::uint64_t events = 0;      // events taken
  std::uint64_t stored = 0;      // exchanges handed to the sink
  std::uint64_t evicted = 0;     // of them, stored early to stay within the bounds
  std::uint64_t unmatched = 0;   // events dropped whose request was never seen
  std::uint64_t late = 0;        // events dropped that came after their exchange was stored
  std::uint64_t unreadable = 0;  // events dropped that had no id or were not objects
  std::size_t open = 0;
  std::uint64_t open_bytes = 0;
};

class MockttpExchangeAssembler {
 public:
  // `problem` hears about events that were dropped as unreadable (a line, no newline); may be empty.
  MockttpExchangeAssembler(AssemblerOptions options, ExchangeSink& sink,
                           std::function<void(const std::string&)> problem = {});

  // Takes one event (the object under payload.data.<event name>). `cuts`
  // names its strings the reader cut. Fails only when the sink fails.
  Status add(EventType type, nlohmann::json&& event, const EventCuts& cuts);

  // The event stream was interrupted from `from` to `to` (µs): an exchange
  // open before it that is later stored without its end says so.
  void note_gap(Micros from, Micros to);

  // Stores every open exchange with `error` (plus a word about any gap it
  // spanned); drops held events whose request never came. Fails only when
  // the sink fails.
  Status store_open(const std::string& error);

  const AssemblerStats& stats() const { return stats_; }

 private:
  struct HeldEvent {
    EventType type;
    nlohmann::json event;
    EventCuts cuts;
    std::uint64_t bytes;  // counted against max_open_bytes
  };
  struct Open {
    std::uint64_t seq = 0;         // arrival order: the oldest is evicted first
    std::size_t gaps_before = 0;   // gaps noted before it opened
    std::uint64_t bytes = 0;       // what it holds, counted against max_open_bytes
    std::optional<Exchange> exchange;  // nullopt until its request is seen
    std::vector<HeldEvent> held;       // events that came before the request
    std::vector<std::string> tags;
    nlohmann::ordered_json details = nlohmann::ordered_json::object();
    Caveats caveats;               // the first kMaxCaveats
    std::size_t more_caveats = 0;  // and how many more there were
  };
  static constexpr std::size_t kMaxCaveats = 20;

  Status take(EventType type, nlohmann::json&& event, const EventCuts& cuts);
  Status open_request(EventType type, const std::string& id, const nlohmann::json& event, const EventCuts& cuts);
  Status continue_open(EventType type, const std::string& id, nlohmann::json&& event, const EventCuts& cuts);
  Status store_client_error(const nlohmann::json& event, const EventCuts& cuts);
  Status store_tls_failure(const nlohmann::json& event);
  Open& open_entry(const std::string& id);
  void read_request(Open& open, const std::string& id, const nlohmann::json& event, const EventCuts& cuts);
  void read_response(Open& open, const nlohmann::json& event, const EventCuts& cuts);
  std::string read_abort(Open& open, const nlohmann::json& event);  // returns the error text
  void read_timings(Open& open, const nlohmann::json& event, const char* where);
  void add_websocket_message(Open& open, EventType type, const nlohmann::json& event, const EventCuts& cuts);
  void hold(const std::string& id, EventType type, nlohmann::json&& event, const EventCuts& cuts);
  void note(Open& open, Caveats&& caveats);

  // Takes the open entry `id` out and stores its exchange with `error`
  // (an entry that only held events is dropped and counted). Remembers the id.
  Status finish(const std::string& id, const std::string& error);
  Status store(Open&& open, const std::string& error);
  Status enforce_bounds();
  bool is_remembered(const std::string& id) const { return remembered_.count(id) > 0; }
  void remember(const std::string& id);
  void count_bytes(Open& open, std::uint64_t bytes);
  std::string gap_note(const Open& open) const;
  void drop_unreadable(EventType type, const std::string& why);

  const AssemblerOptions options_;
  ExchangeSink& sink_;
  std::function<void(const std::string&)> problem_;

  std::unordered_map<std::string, Open> open_;
  std::map<std::uint64_t, std::string> open_order_;  // seq -> id
  std::uint64_t next_seq_ = 0;
  std::unordered_set<std::string> remembered_;
  std::deque<std::string> remembered_order_;
  std::vector<std::pair<Micros, Micros>> gaps_;
  AssemblerStats stats_;
};

}  // namespace trafficdb::mockttp
