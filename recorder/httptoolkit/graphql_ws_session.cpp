#include "recorder/httptoolkit/graphql_ws_session.h"

namespace trafficdb {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The id of the plain query that tells when the subscriptions are live.
constexpr const char* kReadyId = "trafficdb-ready";

// Events kept while waiting for that answer; a server that sends more
// before answering is not one to wait for.
constexpr std::size_t kMaxEarly = 10000;

std::string text_member(const json& object, const char* key) {
  const auto it = object.is_object() ? object.find(key) : object.end();
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// What an error payload says: its message, else the payload itself (short).
std::string error_text(const json& payload) {
  std::string text = text_member(payload, "message");
  if (text.empty() && payload.is_array() && !payload.empty()) text = text_member(payload[0], "message");
  if (text.empty()) text = payload.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

std::string start_message(const std::string& id, const std::string& query) {
  return json{{"id", id}, {"type", "start"}, {"payload", {{"query", query}}}}.dump();
}

}  // namespace

GraphqlWsSession::GraphqlWsSession(GraphqlWsTransport transport, std::chrono::milliseconds handshake_limit)
    : transport_(std::move(transport)), handshake_limit_(handshake_limit) {}

Status GraphqlWsSession::open() {
  if (Status s = transport_.send(R"({"type":"connection_init","payload":{}})"); !s.is_ok()) return s;
  const auto deadline = Clock::now() + handshake_limit_;
  for (;;) {
    auto message = transport_.next_message();
    if (!message.is_ok()) return message.status();
    const std::string type = text_member(message->value, "type");
    if (type == "connection_ack") return Status::ok();
    if (type == "connection_error")
      return Status::error("Mockttp refused the subscription connection: " + error_text(message->value["payload"]));
    if (Clock::now() > deadline)
      return Status::error("Mockttp did not acknowledge the subscription connection within " +
                           std::to_string(handshake_limit_.count()) + " ms");
  }
}

Status GraphqlWsSession::subscribe(const std::vector<std::pair<std::string, std::string>>& subscriptions) {
  for (const auto& [id, query] : subscriptions) {
    if (Status s = transport_.send(start_message(id, query)); !s.is_ok()) return s;
    ids_.push_back(id);
    live_.insert(id);
  }
  if (Status s = transport_.send(start_message(kReadyId, "{ __typename }")); !s.is_ok()) return s;
  const auto deadline = Clock::now() + handshake_limit_;
  std::string first_problem;
  while (!barrier_answered_) {
    auto delivery = read_one();
    if (!delivery.is_ok()) return delivery.status();
    if (delivery->event || !delivery->problem.empty()) {
      if (first_problem.empty()) first_problem = delivery->problem;
      if (early_.size() == kMaxEarly)
        return Status::error("Mockttp sent more than " + std::to_string(kMaxEarly) +
                             " messages before it confirmed the subscriptions");
      early_.push_back(std::move(*delivery));
    }
    if (!barrier_answered_ && Clock::now() > deadline)
      return Status::error("Mockttp did not set up the subscriptions within " +
                           std::to_string(handshake_limit_.count()) + " ms");
  }
  if (live_.empty())
    return Status::error("Mockttp refused every subscription" + (first_problem.empty() ? "" : ": " + first_problem));
  return Status::ok();
}

Result<GraphqlWsDelivery> GraphqlWsSession::next() {
  if (!early_.empty()) {
    GraphqlWsDelivery d = std::move(early_.front());
    early_.pop_front();
    return d;
  }
  for (;;) {
    auto delivery = read_one();
    if (!delivery.is_ok() || delivery->event || !delivery->problem.empty() || delivery->finished) return delivery;
  }
}

void GraphqlWsSession::unsubscribe() {
  unsubscribing_ = true;
  for (const std::string& id : ids_) transport_.post(json{{"id", id}, {"type", "stop"}}.dump());
}

Result<GraphqlWsDelivery> GraphqlWsSession::read_one() {
  auto raw = transport_.next_message();
  if (!raw.is_ok()) return raw.status();
  GraphqlWsDelivery d;
  if (!raw->skipped.empty()) {
    d.problem = "a message of " + bytes_text(raw->bytes) + " from Mockttp was not read: " + raw->skipped;
    return d;
  }
  json& message = raw->value;
  const std::string type = text_member(message, "type");
  const std::string id = text_member(message, "id");
  if (type == "ka" || type == "connection_ack") return d;
  if (type == "data") {
    if (id == kReadyId) {
      barrier_answered_ = true;
      return d;
    }
    return data_message(message, id, *raw);
  }
  if (type == "error") {
    live_.erase(id);
    d.problem = "Mockttp refused the " + id + " subscription: " + error_text(message["payload"]);
    return d;
  }
  if (type == "complete") {
    if (id == kReadyId || !live_.erase(id)) return d;
    if (!unsubscribing_) return Status::error("Mockttp ended the " + id + " subscription");
    d.finished = live_.empty();
    return d;
  }
  if (type == "connection_error")
    return Status::error("Mockttp closed the subscription connection: " + error_text(message["payload"]));
  d.problem = "an unexpected graphql-ws message from Mockttp, of type '" + type.substr(0, 40) + "'; ignored";
  return d;
}

GraphqlWsDelivery GraphqlWsSession::data_message(json& message, const std::string& id, const JsonMessage& raw) {
  GraphqlWsDelivery d;
  json& payload = message["payload"];
  if (payload.is_object() && payload.contains("errors"))
    d.problem = "Mockttp could not produce a " + id + " event: " + error_text(payload["errors"]);
  json* data = payload.is_object() && payload.contains("data") ? &payload["data"] : nullptr;
  std::string field = id;
  if (data && data->is_object() && !data->contains(field) && data->size() == 1) field = data->begin().key();
  if (!data || !data->is_object() || !data->contains(field) || !(*data)[field].is_object()) {
    if (d.problem.empty()) d.problem = "a " + id + " message from Mockttp without its event; ignored";
    return d;
  }
  GraphqlWsEvent event;
  event.field = field;
  event.value = std::move((*data)[field]);
  const std::string prefix = "/payload/data/" + field;
  for (const auto& [pointer, length] : raw.cut_strings)
    if (pointer.rfind(prefix + "/", 0) == 0) event.cuts.emplace_back(pointer.substr(prefix.size()), length);
  d.event = std::move(event);
  return d;
}

}  // namespace trafficdb
