// The HTTP Toolkit source's transport, without a server: JSON messages read
// a part at a time (websocket_json_reader.h), their long strings set aside
// (long_string_lifter.h), the graphql-ws protocol
// (graphql_ws_session.h) on scripted messages, and finding HTTP Toolkit's
// session from its files (httptoolkit_session_files.h).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <filesystem>
#include <thread>

#include "recorder/httptoolkit/graphql_ws_session.h"
#include "recorder/httptoolkit/httptoolkit_session_files.h"
#include "recorder/httptoolkit/long_string_lifter.h"
#include "recorder/httptoolkit/websocket_json_reader.h"
#include "tests/test_support.h"

using namespace trafficdb;
using nlohmann::json;

namespace {

// Messages handed over in parts of at most `part` bytes; an empty optional
// stands for a failed read.
class ScriptedParts {
 public:
  ScriptedParts(std::vector<std::optional<std::string>> messages, std::size_t part)
      : messages_(messages.begin(), messages.end()), part_(part) {}

  Result<WebSocketClient::Part> operator()(char* into, std::size_t capacity) {
    if (messages_.empty()) return Status::error("no more messages");
    if (!messages_.front()) return Status::error("the connection broke");
    const std::string& m = *messages_.front();
    const std::size_t n = std::min({part_, capacity, m.size() - offset_});
    std::memcpy(into, m.data() + offset_, n);
    offset_ += n;
    const bool done = offset_ == m.size();
    if (done) {
      messages_.pop_front();
      offset_ = 0;
    }
    ++reads;
    return WebSocketClient::Part{n, done};
  }
  std::size_t reads = 0;

 private:
  std::deque<std::optional<std::string>> messages_;
  std::size_t part_;
  std::size_t offset_ = 0;
};

JsonMessageReader reader_over(ScriptedParts& parts, JsonMessageLimits limits) {
  return JsonMessageReader([&parts](char* into, std::size_t n) { return parts(into, n); }, limits);
}

}  // namespace

TEST_CASE("JSON messages: small and large, whole or in parts, strings cut past the limit", "[httptoolkit]") {
  const std::string body(100000, 'Q');
  const std::string large = json{{"type", "data"}, {"payload", {{"body", body}, {"after", 1}}}}.dump();
  ScriptedParts parts({R"({"type":"ka"})", large, R"({"type":"connection_ack"})"}, 3000);
  JsonMessageLimits limits;
  limits.max_string_bytes = 1000;
  limits.max_value_bytes = 1u << 20;
  SECTION("a large message read whole") { limits.whole_message_bytes = 1u << 20; }
  SECTION("a large message parsed as its parts arrive") { limits.whole_message_bytes = 4096; }
  JsonMessageReader reader = reader_over(parts, limits);

  auto first = reader.next();
  REQUIRE(first.is_ok());
  CHECK(first->value == json{{"type", "ka"}});
  CHECK(first->bytes == 13);
  auto second = reader.next();
  REQUIRE(second.is_ok());
  CHECK(second->skipped.empty());
  CHECK(second->bytes == large.size());
  CHECK(second->value["payload"]["body"].get<std::string>() == body.substr(0, 1000));
  CHECK(second->value["payload"]["after"] == 1);
  REQUIRE(second->cut_strings.size() == 1);
  CHECK(second->cut_strings[0] == std::make_pair(std::string("/payload/body"), std::uint64_t{100000}));
  auto third = reader.next();
  REQUIRE(third.is_ok());
  CHECK(third->value == json{{"type", "connection_ack"}});
  auto end = reader.next();
  REQUIRE_FALSE(end.is_ok());
  CHECK(end.status().message() == "no more messages");
}

TEST_CASE("JSON messages: what is not one JSON value is skipped, and the next is read", "[httptoolkit]") {
  JsonMessageLimits limits;
  limits.max_string_bytes = 1000;
  limits.max_value_bytes = 1u << 20;
  limits.whole_message_bytes = GENERATE(std::size_t{4}, std::size_t{1} << 20);  // streamed, or read whole
  std::string many_values = "[";  // 20000 values cost more than 1 MiB as JSON nodes
  for (int i = 0; i < 20000; ++i) many_values += "1,";
  many_values.back() = ']';
  ScriptedParts parts({"not json", R"({"a":1} {"b":2})", R"({"a":1}])", "", many_values, R"({"ok":true})"}, 50);
  JsonMessageReader reader = reader_over(parts, limits);
  std::vector<std::string> skipped;
  for (int i = 0; i < 5; ++i) {
    auto m = reader.next();
    REQUIRE(m.is_ok());
    CHECK(m->value.is_null());
    skipped.push_back(m->skipped);
  }
  CHECK(skipped[0].rfind("not JSON: invalid JSON at byte", 0) == 0);
  CHECK(skipped[1].rfind("not JSON: invalid JSON at byte 10", 0) == 0);  // two values
  CHECK(skipped[2] == "not JSON: there is more after the first value");
  CHECK(skipped[3].rfind("not JSON", 0) == 0);
  CHECK(skipped[4] == "the message is larger than the limit of 1 MiB");
  auto ok = reader.next();
  REQUIRE(ok.is_ok());
  CHECK(ok->value == json{{"ok", true}});
}

TEST_CASE("JSON messages: a read that fails mid-message fails the reader", "[httptoolkit]") {
  JsonMessageLimits limits;
  limits.whole_message_bytes = GENERATE(std::size_t{16}, std::size_t{1} << 20);
  // The first part of a message, then the connection breaks.
  class Broken {
   public:
    Result<WebSocketClient::Part> operator()(char* into, std::size_t capacity) {
      if (calls++ > 0) return Status::error("the connection broke");
      const std::string start = R"({"type":"data","payload":)";
      const std::size_t n = std::min(capacity, start.size());
      std::memcpy(into, start.data(), n);
      return WebSocketClient::Part{n, false};
    }
    int calls = 0;
  };
  Broken broken;
  JsonMessageReader reader([&broken](char* into, std::size_t n) { return broken(into, n); }, limits);
  auto m = reader.next();
  REQUIRE_FALSE(m.is_ok());
  CHECK(m.status().message() == "the connection broke");
}

namespace {

// A graphql-ws server played from a script: what the client sent is kept.
struct ScriptedServer {
  std::deque<Result<JsonMessage>> incoming;
  std::vector<std::string> sent;
  std::vector<std::string> posted;

  void push(const json& message) {
    JsonMessage m;
    m.value = message;
    m.bytes = message.dump().size();
    incoming.emplace_back(std::move(m));
  }
  GraphqlWsTransport transport() {
    return {[this](std::string_view text) {
              sent.emplace_back(text);
              return Status::ok();
            },
            [this](std::string text) { posted.push_back(std::move(text)); },
            [this]() -> Result<JsonMessage> {
              if (incoming.empty()) return Status::error("nothing more from the server");
              auto m = std::move(incoming.front());
              incoming.pop_front();
              return m;
            }};
  }
};

json data(const std::string& id, json payload) { return {{"type", "data"}, {"id", id}, {"payload", payload}}; }

}  // namespace

TEST_CASE("graphql-ws: init, subscriptions live once the ready query answers, events in order", "[httptoolkit]") {
  ScriptedServer server;
  server.push({{"type", "ka"}});
  server.push({{"type", "connection_ack"}});
  // An event already flowing before the ready answer: kept for next().
  server.push(data("requestReceived", {{"data", {{"requestReceived", {{"id", "r1"}}}}}}));
  server.push({{"type", "error"}, {"id", "webSocketClose"}, {"payload", {{"message", "Cannot query field"}}}});
  server.push(data("trafficdb-ready", {{"data", {{"__typename", "Query"}}}}));
  server.push({{"type", "complete"}, {"id", "trafficdb-ready"}});
  server.push({{"type", "ka"}});
  JsonMessage cut;
  cut.value = data("responseCompleted", {{"data", {{"responseCompleted", {{"id", "r1"}, {"body", "QUFB"}}}}}});
  cut.cut_strings = {{"/payload/data/responseCompleted/body", 1000}, {"/payload/other", 5}};
  server.incoming.emplace_back(cut);
  server.push(data("requestReceived", {{"errors", json::array({{{"message", "decodedBody failed"}}})}, {"data", nullptr}}));
  server.push({{"type", "mystery"}});

  GraphqlWsSession session(server.transport(), std::chrono::seconds(5));
  REQUIRE(session.open().is_ok());
  REQUIRE(session.subscribe({{"requestReceived", "subscription { requestReceived { id } }"},
                             {"responseCompleted", "subscription { responseCompleted { id } }"},
                             {"webSocketClose", "subscription { webSocketClose { streamId } }"}})
              .is_ok());
  REQUIRE(server.sent.size() == 5);
  CHECK(json::parse(server.sent[0]) == json({{"type", "connection_init"}, {"payload", json::object()}}));
  CHECK(json::parse(server.sent[1]) ==
        json({{"id", "requestReceived"}, {"type", "start"}, {"payload", {{"query", "subscription { requestReceived { id } }"}}}}));
  CHECK(json::parse(server.sent[4])["payload"]["query"] == "{ __typename }");

  auto d1 = session.next();
  REQUIRE(d1.is_ok());
  REQUIRE(d1->event);
  CHECK(d1->event->field == "requestReceived");
  CHECK(d1->event->value == json{{"id", "r1"}});
  auto d2 = session.next();
  REQUIRE(d2.is_ok());
  CHECK(d2->problem == "Mockttp refused the webSocketClose subscription: Cannot query field");
  auto d3 = session.next();
  REQUIRE(d3.is_ok());
  REQUIRE(d3->event);
  CHECK(d3->event->value["body"] == "QUFB");
  CHECK(d3->event->cuts == mockttp::EventCuts{{"/body", 1000}});
  auto d4 = session.next();
  REQUIRE(d4.is_ok());
  CHECK_FALSE(d4->event);
  CHECK(d4->problem == "Mockttp could not produce a requestReceived event: decodedBody failed");
  auto d5 = session.next();
  REQUIRE(d5.is_ok());
  CHECK(d5->problem.find("of type 'mystery'") != std::string::npos);

  SECTION("stopping: every subscription completes after what was sent, then finished") {
    session.unsubscribe();
    REQUIRE(server.posted.size() == 3);
    CHECK(json::parse(server.posted[0]) == json({{"id", "requestReceived"}, {"type", "stop"}}));
    server.push(data("responseCompleted", {{"data", {{"responseCompleted", {{"id", "r2"}}}}}}));
    server.push({{"type", "complete"}, {"id", "requestReceived"}});
    server.push({{"type", "complete"}, {"id", "responseCompleted"}});
    auto last = session.next();
    REQUIRE(last.is_ok());
    CHECK(last->event->value == json{{"id", "r2"}});
    auto done = session.next();
    REQUIRE(done.is_ok());
    CHECK(done->finished);
  }
  SECTION("a subscription the server ends by itself fails the session") {
    server.push({{"type", "complete"}, {"id", "responseCompleted"}});
    auto ended = session.next();
    REQUIRE_FALSE(ended.is_ok());
    CHECK(ended.status().message() == "Mockttp ended the responseCompleted subscription");
  }
}

TEST_CASE("graphql-ws: a refused connection, or every subscription refused, is an error", "[httptoolkit]") {
  {
    ScriptedServer server;
    server.push({{"type", "connection_error"}, {"payload", {{"message", "Prohibited connection!"}}}});
    GraphqlWsSession session(server.transport(), std::chrono::seconds(5));
    const Status s = session.open();
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.message() == "Mockttp refused the subscription connection: Prohibited connection!");
  }
  {
    ScriptedServer server;
    server.push({{"type", "connection_ack"}});
    server.push({{"type", "error"}, {"id", "requestReceived"}, {"payload", json::array({{{"message", "no such field"}}})}});
    server.push(data("trafficdb-ready", {{"data", {{"__typename", "Query"}}}}));
    GraphqlWsSession session(server.transport(), std::chrono::seconds(5));
    REQUIRE(session.open().is_ok());
    const Status s = session.subscribe({{"requestReceived", "subscription { requestReceived { nope } }"}});
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.message() == "Mockttp refused every subscription: Mockttp refused the requestReceived subscription: no such field");
  }
  {
    ScriptedServer server;  // the connection ends while waiting
    GraphqlWsSession session(server.transport(), std::chrono::seconds(5));
    const Status s = session.open();
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.message() == "nothing more from the server");
  }
}

TEST_CASE("HTTP Toolkit's session files: newest first, unreadable ones said", "[httptoolkit]") {
  test::TempDir dir;
  namespace fs = std::filesystem;
  const std::string config = dir.file("httptoolkit-webextension/config");
  fs::create_directories(config);
  const auto write = [&](const std::string& name, const std::string& text, int age_seconds) {
    test::write_file(config + "/" + name, text);
    fs::last_write_time(config + "/" + name, fs::file_time_type::clock::now() - std::chrono::seconds(age_seconds));
  };
  write("127_0_0_1.8000", R"({"mockRtcEnabled":true,"adminBaseUrl":"http://internal.httptoolkit.localhost:45456/session/11111111-aaaa-4bbb-8ccc-222222222222"})", 100);
  write("127_0_0_1.8001", R"(config = {"adminBaseUrl": "http://internal.httptoolkit.localhost:45456/session/33333333-dddd"};)", 10);
  write("127_0_0_1.8002", R"({"adminBaseUrl":"http://x/session/../../etc"})", 5);
  write("notes.txt", "nothing here", 1);
  std::vector<std::string> unreadable;
  auto files = find_httptoolkit_session_files(config, &unreadable);
  REQUIRE(files.is_ok());
  REQUIRE(files->size() == 2);
  CHECK((*files)[0].session_id == "33333333-dddd");
  CHECK((*files)[0].proxy_port == 8001);
  CHECK((*files)[1].session_id == "11111111-aaaa-4bbb-8ccc-222222222222");
  CHECK((*files)[1].proxy_port == 8000);
  REQUIRE(unreadable.size() == 2);
  std::sort(unreadable.begin(), unreadable.end());
  CHECK(unreadable[0] == config + "/127_0_0_1.8002: its adminBaseUrl names no session");
  CHECK(unreadable[1] == config + "/notes.txt: it has no adminBaseUrl");

  auto none = find_httptoolkit_session_files(dir.file("absent"));
  REQUIRE(none.is_ok());
  CHECK(none->empty());

  const char* tmpdir = std::getenv("TMPDIR");
  const std::string saved = tmpdir ? tmpdir : "";
  setenv("TMPDIR", (dir.path() + "/").c_str(), 1);
  const std::string found = httptoolkit_session_dir();
  if (tmpdir) setenv("TMPDIR", saved.c_str(), 1);
  else unsetenv("TMPDIR");
  CHECK(found == config);
}

TEST_CASE("Long string lifting: long plain string values are set aside and put back, cut at the limit",
          "[httptoolkit]") {
  const std::string base64(10000, 'A');
  const std::string escaped = std::string(5000, 'x') + "\\\"" + std::string(5000, 'y');  // has an escape
  const std::string long_key(5000, 'k');
  const json original = {{"body", base64},
                          {"escaped", std::string(5000, 'x') + "\"" + std::string(5000, 'y')},
                          {long_key, "v"},
                          {"list", json::array({base64 + "B", "short", 1})},
                          {"fake", "\x01" "123:0"}};
  const std::string text = original.dump();
  REQUIRE(text.find(escaped) != std::string::npos);

  LongStringLifter lifter(4096);
  const std::string_view marked = lifter.lift(text);
  CHECK(lifter.lifted() == 2);  // body and list/0: not the escaped one, not the key
  CHECK(marked.size() < text.size() - 19000);
  json value = json::parse(marked);
  std::vector<std::pair<std::string, std::uint64_t>> cuts;
  lifter.restore(value, 1u << 20, cuts);
  CHECK(value == original);
  CHECK(cuts.empty());

  json cut_value = json::parse(lifter.lift(text));
  lifter.restore(cut_value, 100, cuts);
  CHECK(cut_value["body"] == base64.substr(0, 100));
  CHECK(cut_value["list"][0] == base64.substr(0, 100));
  CHECK(cut_value["escaped"] == original["escaped"]);  // the parser's to cut, not the lifter's
  CHECK(cuts == std::vector<std::pair<std::string, std::uint64_t>>{{"/body", 10000}, {"/list/0", 10001}});

  const std::string small = R"({"a":"b"})";
  CHECK(lifter.lift(small).data() == small.data());  // nothing lifted: the text itself
  CHECK(lifter.lifted() == 0);
}
