#include "recorder/httptoolkit/mockttp_admin_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "recorder/url.h"

namespace trafficdb {
namespace {

using nlohmann::json;

// The rules `--listen` sessions get: everything passes through.
const json kPassthroughRules = json::array(
    {{{"id", "trafficdb-passthrough"}, {"matchers", {{{"type", "wildcard"}}}}, {"steps", {{{"type", "passthrough"}}}}}});
const json kWebSocketPassthroughRules =
    json::array({{{"id", "trafficdb-ws-passthrough"},
                  {"matchers", {{{"type", "wildcard"}}}},
                  {"steps", {{{"type", "ws-passthrough"}}}}}});

std::string short_text(const std::string& body) {
  std::string text = body.size() > 300 ? body.substr(0, 300) + "..." : body;
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return text;
}

// Mockttp's own words for a failure: {"error": "..."} or GraphQL's errors.
std::string mockttp_message(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (const auto e = parsed.find("error"); e != parsed.end() && e->is_string()) return e->get<std::string>();
    if (const auto errors = parsed.find("errors"); errors != parsed.end() && errors->is_array() && !errors->empty()) {
      const json& first = (*errors)[0];
      if (first.is_object() && first.contains("message") && first["message"].is_string())
        return first["message"].get<std::string>();
    }
  }
  return short_text(body);
}

}  // namespace

bool is_session_id(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (const char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

Result<MockttpAdminClient> MockttpAdminClient::for_url(const std::string& admin_url, std::string origin,
                                                       std::chrono::milliseconds timeout) {
  auto parts = parse_url(admin_url);
  if (!parts.is_ok() || parts->scheme != "http" || parts->path != "/" || parts->query || parts->host.empty())
    return Status::invalid_input("bad admin URL '" + admin_url + "': give Mockttp's admin server as http://HOST:PORT");
  MockttpAdminClient client;
  client.host_ = parts->host;
  client.port_ = parts->port.value_or(80);
  const std::string host = client.host_.find(':') != std::string::npos ? "[" + client.host_ + "]" : client.host_;
  client.url_ = "http://" + host + ":" + std::to_string(client.port_);
  client.origin_ = std::move(origin);
  client.timeout_ = timeout;
  return client;
}

Result<MockttpAdminClient::Answer> MockttpAdminClient::post(const std::string& path, const std::string& body) const {
  httplib::Client http(host_, port_);
  http.set_connection_timeout(std::min(timeout_, std::chrono::milliseconds(5000)));
  http.set_read_timeout(timeout_);
  http.set_write_timeout(timeout_);
  httplib::Headers headers{{"Origin", origin_}, {"Accept", "application/json"}};
  auto res = http.Post(path, headers, body, "application/json");
  if (!res) {
    const httplib::Error e = res.error();
    const std::string why = e == httplib::Error::Connection          ? "nothing answers there"
                            : e == httplib::Error::ConnectionTimeout ? "the connection timed out"
                            : e == httplib::Error::Read              ? "no complete answer"
                                                                     : httplib::to_string(e);
    return Status::unavailable("cannot reach the Mockttp admin server at " + url_ + " (" + why +
                         "): is HTTP Toolkit running? (its admin server listens on 45456; plain Mockttp's on 45454)");
  }
  return Answer{res->status, res->body};
}

Status MockttpAdminClient::refused(const std::string& what, const Answer& answer) const {
  if (answer.status == 403)
    return Status::error("the admin server at " + url_ + " refused " + what + " (HTTP 403): it accepts only the origin " +
                         "it was started for; trafficdb sends " + origin_);
  return Status::error("the admin server at " + url_ + " refused " + what + " (HTTP " + std::to_string(answer.status) +
                       "): " + mockttp_message(answer.body));
}

Result<MockttpSession> MockttpAdminClient::start_session(int proxy_port, const json& https) const {
  json options = {{"cors", false}, {"recordTraffic", false}};
  if (!https.is_null()) options["https"] = https;
  json plugin = {{"options", options}, {"messageBodyDecoding", "none"}};
  if (proxy_port > 0) plugin["port"] = proxy_port;
  const json request = {{"plugins", {{"http", plugin}}}};
  auto answer = post("/start", request.dump());
  if (!answer.is_ok()) return answer.status();
  if (answer->status != 200) return refused("to start a session", *answer);
  const json body = json::parse(answer->body, nullptr, false);
  MockttpSession session;
  if (body.is_object() && body.contains("id") && body["id"].is_string()) session.id = body["id"].get<std::string>();
  const json* port = nullptr;
  if (body.is_object() && body.contains("pluginData") && body["pluginData"].is_object() &&
      body["pluginData"].contains("http") && body["pluginData"]["http"].is_object())
    if (const auto it = body["pluginData"]["http"].find("port"); it != body["pluginData"]["http"].end()) port = &*it;
  if (port && port->is_number_integer() && port->get<std::int64_t>() > 0 && port->get<std::int64_t>() <= 65535)
    session.proxy_port = port->get<int>();
  if (session.id.empty() || session.proxy_port <= 0)
    return Status::error("the admin server at " + url_ + " started a session but did not say its id and port: " +
                         short_text(answer->body));
  return session;
}

Result<json> MockttpAdminClient::graphql(const std::string& session_id, const std::string& query,
                                         const json& variables) const {
  json request = {{"query", query}};
  if (!variables.is_null()) request["variables"] = variables;
  auto answer = post("/session/" + session_id + "/", request.dump());
  if (!answer.is_ok()) return answer.status();
  if (answer->status == 404) return Status::not_found("the admin server at " + url_ + " has no session " + session_id);
  json body = json::parse(answer->body, nullptr, false);
  if (answer->status == 200 && body.is_object() && !body.contains("errors") && body.contains("data"))
    return std::move(body["data"]);
  return refused("a GraphQL query", *answer);
}

Status MockttpAdminClient::set_passthrough_rules(const std::string& session_id) const {
  const std::string mutation =
      "mutation SetRules($rules: [MockRule!]!, $webSocketRules: [WebSocketMockRule!]!) {"
      " http: setRules(input: $rules) { id } webSockets: setWebSocketRules(input: $webSocketRules) { id } }";
  auto data = graphql(session_id, mutation, {{"rules", kPassthroughRules}, {"webSocketRules", kWebSocketPassthroughRules}});
  return data.is_ok() ? Status::ok() : data.status();
}

Status MockttpAdminClient::stop_session(const std::string& session_id) const {
  auto answer = post("/session/" + session_id + "/stop", "{}");
  if (!answer.is_ok()) return answer.status();
  if (answer->status == 404) return Status::ok();  // gone already
  return answer->status == 200 ? Status::ok() : refused("to stop session " + session_id, *answer);
}

Result<bool> MockttpAdminClient::session_exists(const std::string& session_id) const {
  auto answer = post("/session/" + session_id + "/", R"({"query":"{ __typename }"})");
  if (!answer.is_ok()) return answer.status();
  if (answer->status == 404) return false;
  if (answer->status == 200) return true;
  return refused("a question about session " + session_id, *answer);
}

}  // namespace trafficdb
