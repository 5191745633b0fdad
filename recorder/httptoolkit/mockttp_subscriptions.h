// The Mockttp events the recorder subscribes to, and the GraphQL
// subscription documents that ask for them.
//
// Each document asks only for fields the recorder reads, and never for
// `decodedBody` (on a session started with messageBodyDecoding "none", as
// HTTP Toolkit's is, asking for it fails the whole event). Bodies come last
// in each selection: the fields an event is recognised by come before the
// one that can be megabytes long.
//
// Servers differ by version: given the fields the server's schema has (from
// the introspection query below), the documents leave out what it lacks,
// and events it does not offer; without that knowledge every field is asked
// for.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace trafficdb::mockttp {

enum class EventType {
  request_received,
  response_completed,
  request_aborted,
  failed_client_request,
  failed_tls_request,
  websocket_request,
  websocket_accepted,
  websocket_message_received,
  websocket_message_sent,
  websocket_close,
};

inline constexpr std::array kEventTypes = {
    EventType::request_received,       EventType::response_completed,         EventType::request_aborted,
    EventType::failed_client_request,  EventType::failed_tls_request,         EventType::websocket_request,
    EventType::websocket_accepted,     EventType::websocket_message_received, EventType::websocket_message_sent,
    EventType::websocket_close,
};

// The subscription field's name: "requestReceived", "webSocketClose", ...
std::string_view event_name(EventType type);
std::optional<EventType> event_type(std::string_view name);

// GraphQL type name -> its field names, as the server's schema has them.
using SchemaFields = std::map<std::string, std::set<std::string>>;

// One GraphQL query (for POST /session/<id>/) asking for the fields of every
// type the documents use.
std::string schema_query();

// Reads the `data` of the answer to schema_query(). Fails when it is not
// such an answer (then every field is asked for).
Result<SchemaFields> read_schema_answer(const nlohmann::json& data);

struct SubscriptionDocument {
  EventType type;
  std::string query;  // "subscription { requestReceived { id ... body } }"
};

// One document per event the server offers (all of them when `schema` is
// null). `left_out` (if given) gets "webSocketClose" for an event the server
// does not offer and "Request.rawTrailers" for a field it lacks.
std::vector<SubscriptionDocument> subscription_documents(const SchemaFields* schema,
                                                         std::vector<std::string>* left_out = nullptr);

}  // namespace trafficdb::mockttp
