// GraphqlWsSession: the client side of the legacy `graphql-ws` protocol
// (subscriptions-transport-ws), as Mockttp's admin server speaks it.
//
//   client -> server: connection_init, start {id, payload:{query}}, stop {id}
//   server -> client: connection_ack, ka (keep-alive), data {id, payload},
//                     error {id, payload}, complete {id}, connection_error
//
// subscribe() starts every subscription, then sends one plain query
// ("{ __typename }") and waits for its answer: the server sets up
// operations in order, so once that answer is in, every subscription is
// live and no event after subscribe() returns can be missed. Events that
// arrive meanwhile are kept for next().
//
// next() hands over events (the object under payload.data.<field>, its cut
// strings made relative to it) and problems worth a log line (a
// subscription the server refused, an event it failed to produce, a
// message that could not be read). It fails when the connection does, when
// the server ends a subscription of its own accord, or refuses the
// connection. unsubscribe() (thread-safe) asks the server to stop every
// subscription; the server answers each with `complete` after the events it
// had already sent, and next() then says `finished`: nothing in flight is
// lost by stopping that way.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "recorder/httptoolkit/mockttp_event_fields.h"
#include "recorder/httptoolkit/websocket_json_reader.h"

namespace trafficdb {

// What the session needs of a connection (WebSocketClient and a
// JsonMessageReader over it; stand-ins in tests).
struct GraphqlWsTransport {
  std::function<Status(std::string_view)> send;  // the owner's thread
  std::function<void(std::string)> post;         // any thread
  std::function<Result<JsonMessage>()> next_message;
};

struct GraphqlWsEvent {
  std::string field;  // the subscription field: "requestReceived"
  nlohmann::json value;
  mockttp::EventCuts cuts;
};

struct GraphqlWsDelivery {
  std::optional<GraphqlWsEvent> event;
  std::string problem;    // "" when there is nothing to say
  bool finished = false;  // after unsubscribe(): every subscription has completed
};

class GraphqlWsSession {
 public:
  // `handshake_limit` bounds the wait for connection_ack and for the
  // subscriptions to be live, as measured at each message (a silent server
  // is caught by the connection's own idle timeout).
  GraphqlWsSession(GraphqlWsTransport transport, std::chrono::milliseconds handshake_limit);

  // connection_init, then waits for connection_ack.
  Status open();

  // Starts `subscriptions` (id -> GraphQL subscription document) and waits
  // until they are live. Fails when the server refuses every one.
  Status subscribe(const std::vector<std::pair<std::string, std::string>>& subscriptions);

  Result<GraphqlWsDelivery> next();

  // Thread-safe.
  void unsubscribe();

 private:
  Result<GraphqlWsDelivery> read_one();
  GraphqlWsDelivery data_message(nlohmann::json& message, const std::string& id, const JsonMessage& raw);

  GraphqlWsTransport transport_;
  const std::chrono::milliseconds handshake_limit_;
  std::vector<std::string> ids_;  // every subscription started
  std::set<std::string> live_;    // started and not completed
  std::deque<GraphqlWsDelivery> early_;  // read while subscribe() waited
  std::atomic<bool> unsubscribing_{false};  // set by unsubscribe(): `complete`s are expected
  bool barrier_answered_ = false;
};

}  // namespace trafficdb
