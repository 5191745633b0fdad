#include "recorder/httptoolkit/mockttp_subscriptions.h"

namespace trafficdb::mockttp {
namespace {

// A field of a selection; `selection` is set for an object-typed field.
struct Selection;
struct Field {
  const char* name;
  const Selection* selection = nullptr;
};
struct Selection {
  const char* type;  // the GraphQL type the fields belong to
  std::vector<Field> fields;
};

const Selection kDestination{"Destination", {{"hostname"}, {"port"}}};

// Request-shaped types share these; each adds its own after them.
std::vector<Field> request_head_fields() {
  return {{"id"},   {"matchedRuleId"},   {"protocol"},   {"httpVersion"}, {"method"},
          {"url"},  {"path"},            {"remoteIpAddress"}, {"remotePort"}, {"destination", &kDestination},
          {"rawHeaders"}, {"timingEvents"}, {"tags"}};
}

Selection with_fields(const char* type, std::vector<Field> fields, std::vector<Field> more) {
  fields.insert(fields.end(), more.begin(), more.end());
  return {type, std::move(fields)};
}

const Selection kRequest = with_fields("Request", request_head_fields(), {{"rawTrailers"}, {"body"}});
const Selection kAbortedRequest = with_fields("AbortedRequest", request_head_fields(), {{"error"}});
const Selection kResponse{"Response",
                          {{"id"},
                           {"statusCode"},
                           {"statusMessage"},
                           {"rawHeaders"},
                           {"rawTrailers"},
                           {"timingEvents"},
                           {"tags"},
                           {"body"}}};
const Selection kClientErrorRequest{"ClientErrorRequest",
                                    {{"id"},
                                     {"protocol"},
                                     {"httpVersion"},
                                     {"method"},
                                     {"url"},
                                     {"path"},
                                     {"remoteIpAddress"},
                                     {"remotePort"},
                                     {"destination", &kDestination},
                                     {"rawHeaders"},
                                     {"timingEvents"},
                                     {"tags"}}};
const Selection kClientError{"ClientError",
                             {{"errorCode"}, {"request", &kClientErrorRequest}, {"response", &kResponse}}};
const Selection kTlsFailure{"TlsHandshakeFailure",
                            {{"failureCause"},
                             {"destination", &kDestination},
                             {"remoteIpAddress"},
                             {"remotePort"},
                             {"tags"},
                             {"timingEvents"},
                             {"tlsMetadata"}}};
const Selection kWebSocketMessage{
    "WebSocketMessage",
    {{"streamId"}, {"direction"}, {"isBinary"}, {"eventTimestamp"}, {"timingEvents"}, {"tags"}, {"content"}}};
const Selection kWebSocketClose{"WebSocketClose",
                                {{"streamId"}, {"closeCode"}, {"closeReason"}, {"timingEvents"}, {"tags"}}};

struct EventSpec {
  EventType type;
  const char* name;
  const Selection* selection;
};

const std::array<EventSpec, kEventTypes.size()> kEvents = {{
    {EventType::request_received, "requestReceived", &kRequest},
    {EventType::response_completed, "responseCompleted", &kResponse},
    {EventType::request_aborted, "requestAborted", &kAbortedRequest},
    {EventType::failed_client_request, "failedClientRequest", &kClientError},
    {EventType::failed_tls_request, "failedTlsRequest", &kTlsFailure},
    {EventType::websocket_request, "webSocketRequest", &kRequest},
    {EventType::websocket_accepted, "webSocketAccepted", &kResponse},
    {EventType::websocket_message_received, "webSocketMessageReceived", &kWebSocketMessage},
    {EventType::websocket_message_sent, "webSocketMessageSent", &kWebSocketMessage},
    {EventType::websocket_close, "webSocketClose", &kWebSocketClose},
}};

// Every type named by the selections, once.
std::set<std::string> selection_types() {
  std::set<std::string> types{"Subscription"};
  std::vector<const Selection*> todo;
  for (const EventSpec& e : kEvents) todo.push_back(e.selection);
  while (!todo.empty()) {
    const Selection* s = todo.back();
    todo.pop_back();
    if (!types.insert(s->type).second) continue;
    for (const Field& f : s->fields)
      if (f.selection) todo.push_back(f.selection);
  }
  return types;
}

bool has_field(const SchemaFields* schema, const std::string& type, const std::string& field) {
  if (!schema) return true;
  const auto it = schema->find(type);
  return it != schema->end() && it->second.count(field) > 0;
}

// "{ id url ... }" for the fields the schema has; "" when it has none.
std::string render(const Selection& s, const SchemaFields* schema, std::vector<std::string>* left_out) {
  std::string out;
  for (const Field& f : s.fields) {
    if (!has_field(schema, s.type, f.name)) {
      if (left_out) left_out->push_back(std::string(s.type) + "." + f.name);
      continue;
    }
    std::string sub;
    if (f.selection) {
      sub = render(*f.selection, schema, left_out);
      if (sub.empty()) continue;
    }
    out += (out.empty() ? "" : " ") + std::string(f.name) + (sub.empty() ? "" : " " + sub);
  }
  return out.empty() ? "" : "{ " + out + " }";
}

}  // namespace

std::string_view event_name(EventType type) {
  for (const EventSpec& e : kEvents)
    if (e.type == type) return e.name;
  return "";
}

std::optional<EventType> event_type(std::string_view name) {
  for (const EventSpec& e : kEvents)
    if (name == e.name) return e.type;
  return std::nullopt;
}

std::string schema_query() {
  std::string q = "query {";
  for (const std::string& type : selection_types())
    q += " " + type + ": __type(name: \"" + type + "\") { fields { name } }";
  return q + " }";
}

Result<SchemaFields> read_schema_answer(const nlohmann::json& data) {
  if (!data.is_object()) return Status::error("the schema answer has no data object");
  SchemaFields schema;
  for (const std::string& type : selection_types()) {
    const auto it = data.find(type);
    if (it == data.end() || it->is_null()) continue;  // the server has no such type
    const auto fields = it->find("fields");
    if (!it->is_object() || fields == it->end() || !fields->is_array())
      return Status::error("the schema answer for " + type + " has no field list");
    auto& names = schema[type];
    for (const auto& f : *fields) {
      const auto name = f.is_object() ? f.find("name") : f.end();
      if (name != f.end() && name->is_string()) names.insert(name->get<std::string>());
    }
  }
  if (!schema.count("Subscription")) return Status::error("the server's schema has no Subscription type");
  return schema;
}

std::vector<SubscriptionDocument> subscription_documents(const SchemaFields* schema,
                                                         std::vector<std::string>* left_out) {
  std::vector<SubscriptionDocument> docs;
  for (const EventSpec& e : kEvents) {
    if (!has_field(schema, "Subscription", e.name)) {
      if (left_out) left_out->push_back(e.name);
      continue;
    }
    const std::string selection = render(*e.selection, schema, left_out);
    if (selection.empty()) continue;
    docs.push_back({e.type, "subscription { " + std::string(e.name) + " " + selection + " }"});
  }
  return docs;
}

}  // namespace trafficdb::mockttp
