// The live Charles recorder against a stand-in for Charles's Web Interface
// (see charles_stand_in.h: Charles itself cannot run here) that replays the
// real exports in ../shared/samples/charles/.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "recorder/charles/charles_live_recorder.h"
#include "store/writer.h"
#include "tests/charles_stand_in.h"
#include "tests/test_support.h"

using namespace trafficdb;
using test::CollectingSink;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The session script, from the real exports: the session grows, a
// transaction seen in flight completes, a control.charles request shows up,
// the user clears the session and new traffic (the tunnels export) arrives,
// and one last transaction is still in flight when recording stops.
std::vector<std::string> script(const std::string& samples) {
  const json synthetic = json::parse(test::read_file(samples + "/charles/synthetic.chlsj"));
  const json tunnels = json::parse(test::read_file(samples + "/charles/tunnels.chlsj"));
  auto in_flight = [](json t) {
    t["status"] = "RECEIVING_RESPONSE_BODY";  // as Charles shows a transaction still arriving
    if (t.contains("times")) t["times"]["end"] = nullptr;
    return t;
  };
  json control = synthetic[0];
  control["host"] = "control.charles";
  control["path"] = "/session/export-json";

  std::vector<std::string> out;
  out.push_back(json::array({synthetic[0], synthetic[1], in_flight(synthetic[2])}).dump());
  out.push_back(json::array({synthetic[0], synthetic[1], synthetic[2], control}).dump());
  out.push_back(json::array({synthetic[0], synthetic[1], synthetic[2], control, synthetic[3], synthetic[4]}).dump());
  json after_clear = tunnels;  // cleared: only new traffic now
  out.push_back(after_clear.dump());
  after_clear.push_back(in_flight(tunnels[0]));  // a new connection, never finished
  after_clear.back()["clientPort"] = 65000;
  out.push_back(after_clear.dump());
  return out;
}

void wait_for_polls(test::CharlesStandIn& charles, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (charles.polls() < n && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  REQUIRE(charles.polls() >= n);
}

CharlesLiveOptions options_for(const test::CharlesStandIn& charles, std::vector<std::string>* log = nullptr) {
  CharlesLiveOptions o;
  o.proxy = charles.proxy();
  o.user = "alice";
  o.password = "s3cret";
  o.interval = 50ms;
  static std::mutex log_mu;
  if (log) o.log = [log](const std::string& line) {
    std::lock_guard lk(log_mu);
    log->push_back(line);
  };
  return o;
}

}  // namespace

TEST_CASE("Live Charles: each transaction stored once, in-flight ones when complete, clears survived",
          "[charles-live][shared]") {
  const std::string samples = test::require_shared_samples();
  if (samples.empty()) return;
  const auto exports = script(samples);
  test::CharlesStandIn charles(exports, "alice", "s3cret");
  CollectingSink sink;
  std::vector<std::string> log;
  CharlesLiveRecorder recorder(options_for(charles, &log), sink);
  REQUIRE(recorder.start().is_ok());
  CHECK(sink.snapshot().size() == 2);  // the first poll: two complete, one in flight
  wait_for_polls(charles, exports.size() + 2);
  REQUIRE(recorder.stop().is_ok());

  const auto stored = sink.snapshot();
  // 5 synthetic + 6 tunnels + the one never finished; control.charles skipped.
  REQUIRE(stored.size() == 12);
  std::set<std::string> keys;
  for (const auto& e : stored) keys.insert(e.source_key);
  CHECK(keys.size() == stored.size());
  for (const auto& e : stored) CHECK(e.request.host != "control.charles");
  // The transaction first seen in flight was stored once, complete.
  CHECK(stored[2].request.path == "/img/logo.png");
  CHECK(stored[2].error.empty());
  CHECK(stored[2].response->body.data.substr(1, 3) == "PNG");
  // The one still in flight at the end is stored, saying so.
  CHECK(stored.back().error.find("still in flight") != std::string::npos);
  const CharlesLiveStats stats = recorder.stats();
  CHECK(stats.clears == 1);
  CHECK(stats.stored == 12);
  bool said_clear = false;
  for (const auto& line : log) said_clear |= line.find("cleared") != std::string::npos;
  CHECK(said_clear);
  // Nothing but reading: the user's session was never cleared.
  for (const auto& p : charles.paths()) CHECK(p.find("/session/clear") == std::string::npos);
}

TEST_CASE("Live Charles: refused credentials and no Charles are clear errors", "[charles-live]") {
  test::CharlesStandIn charles({"[]"}, "alice", "s3cret");
  CollectingSink sink;
  CharlesLiveOptions wrong = options_for(charles);
  wrong.password = "guess";
  CharlesLiveRecorder refused(wrong, sink);
  const Status s = refused.start();
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.message().find("401") != std::string::npos);
  CHECK(s.message().find("Web Interface Settings") != std::string::npos);
  CHECK(s.message().find(std::to_string(charles.port())) != std::string::npos);

  CharlesLiveOptions nowhere = options_for(charles);
  nowhere.proxy = "http://127.0.0.1:1";
  CharlesLiveRecorder unreachable(nowhere, sink);
  const Status u = unreachable.start();
  REQUIRE_FALSE(u.is_ok());
  CHECK(u.message().find("cannot reach Charles's proxy at 127.0.0.1:1") != std::string::npos);
}

TEST_CASE("Live Charles: --clear-first and --start-recording do what they say", "[charles-live]") {
  test::CharlesStandIn charles({"[]"}, "alice", "s3cret");
  CollectingSink sink;
  std::vector<std::string> log;
  CharlesLiveOptions o = options_for(charles, &log);
  o.clear_first = true;
  o.start_recording = true;
  CharlesLiveRecorder recorder(o, sink);
  REQUIRE(recorder.start().is_ok());
  REQUIRE(recorder.stop().is_ok());
  const auto paths = charles.paths();
  CHECK(std::find(paths.begin(), paths.end(), "http://control.charles/session/clear") != paths.end());
  CHECK(std::find(paths.begin(), paths.end(), "http://control.charles/recording/start") != paths.end());
  bool said_started = false;
  for (const auto& line : log) said_started |= line.find("started its recording") != std::string::npos;
  CHECK(said_started);
}

TEST_CASE("Live Charles: a lost connection is retried and nothing stored is lost", "[charles-live][shared]") {
  const std::string samples = test::require_shared_samples();
  if (samples.empty()) return;
  const auto exports = script(samples);
  test::CharlesStandIn charles(exports, "alice", "s3cret");
  CollectingSink sink;
  std::vector<std::string> log;
  CharlesLiveRecorder recorder(options_for(charles, &log), sink);
  REQUIRE(recorder.start().is_ok());
  wait_for_polls(charles, 2);
  charles.down();
  const auto before = sink.snapshot().size();
  std::this_thread::sleep_for(400ms);
  CHECK(recorder.stats().failed_polls >= 1);
  charles.up();
  wait_for_polls(charles, exports.size() + 2);
  REQUIRE(recorder.stop().is_ok());
  CHECK(sink.snapshot().size() == 12);
  CHECK(before >= 2);
  bool said_retry = false, said_back = false;
  for (const auto& line : log) {
    said_retry |= line.find("retrying") != std::string::npos;
    said_back |= line.find("answers again") != std::string::npos;
  }
  CHECK(said_retry);
  CHECK(said_back);
}

TEST_CASE("record charles: the CLI records into a session and stops after --duration", "[charles-live][cli][shared]") {
  const std::string samples = test::require_shared_samples();
  if (samples.empty()) return;
  test::CharlesStandIn charles(script(samples), "alice", "s3cret");
  test::TempDir dir;
  auto r = test::run_trafficdb({"--db", dir.file("t.db"), "record", "charles", "--proxy", charles.proxy(), "--user",
                                "alice", "--password", "s3cret", "--interval", "100ms", "--duration", "1500ms",
                                "--name", "live"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto s = test::run_trafficdb({"--db", dir.file("t.db"), "sessions", "--json"});
  const json session = json::parse(s.out)[0];
  CHECK(session["name"] == "live");
  CHECK(session["source"] == "charles-live");
  CHECK(session["status"] == "stopped");
  CHECK(session["exchange_count"] == 12);

  auto refused = test::run_trafficdb({"--db", dir.file("t.db"), "record", "charles", "--proxy", charles.proxy(),
                                      "--user", "alice", "--password", "wrong", "--duration", "1s"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("Web Interface Settings") != std::string::npos);
}
