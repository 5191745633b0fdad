// PcapLiveRecorder on the loopback interface, with real HTTP traffic from a
// local server: exchanges reach the sink within a second of completing, a
// LiveRecording's limit on exchanges makes it due, and start() explains what
// it cannot do. `record pcap --wait` on a (veth) interface that appears
// later, disappears and comes back. `record pcap` on a full disk, and
// applying a retention policy while it records.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include "ingest/live_recording.h"
#include "recorder/pcap/pcap_live_recorder.h"
#include "tests/http_test_server.h"
#include "tests/running_process.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

// Skips the test (exit 77 under ctest) without the rights to capture.
void require_capture_rights() {
  if (::geteuid() != 0) test::skip_test("capturing on lo needs root");
}

std::size_t wait_for(test::CollectingSink& sink, std::size_t count, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (sink.snapshot().size() < count && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  return sink.snapshot().size();
}

bool ip(std::vector<std::string> args) {
  args.insert(args.begin(), "ip");
  return test::run_command(args).exit_code == 0;
}

// A veth pair whose first end is `name`, up; deleted by the destructor.
struct VethInterface {
  const std::string name;
  explicit VethInterface(std::string n) : name(std::move(n)) {
    if (!ip({"link", "add", name, "type", "veth", "peer", "name", name + "p"}) || !ip({"link", "set", name, "up"}))
      throw std::runtime_error("cannot make the veth interface " + name);
  }
  ~VethInterface() { (void)ip({"link", "del", name}); }
};

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("record pcap --wait: an interface that appears later, disappears and comes back is waited for",
          "[pcap][live]") {
  require_capture_rights();
  const std::string name = "tdbw" + std::to_string(::getpid() % 100000);
  try {
    VethInterface probe(name);
  } catch (const std::exception& e) {
    test::skip_test(std::string(e.what()) + " (no veth here)");
    return;
  }
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  test::RunningProcess recorder({TRAFFICDB_BINARY, "--db", db, "record", "pcap", "--interface", name, "--wait"}, {},
                                dir.file("record.out"), dir.file("record.err"));
  REQUIRE(recorder.wait_for_output("waiting for the source (--wait): no interface named '" + name + "'", 20s, true));
  CHECK(recorder.running());
  {
    VethInterface interface(name);
    REQUIRE(recorder.wait_for_output("the source is there after ", 30s, true));
  }  // deleted: the capture fails, and is waited for again
  REQUIRE(recorder.wait_for_output("the source failed: capture on '" + name + "' failed", 20s, true));
  VethInterface again(name);
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (occurrences(recorder.err(), "the source is there after ") < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  INFO(recorder.err());
  REQUIRE(occurrences(recorder.err(), "the source is there after ") == 2);
  CHECK(recorder.stop(SIGTERM) == 0);
  CHECK(recorder.err().find("waited for the source 2 times (") != std::string::npos);

  SQLite::Database store(db);
  SQLite::Statement q(store, "SELECT status, integrity FROM sessions");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getString() == "stopped");
  const auto integrity = nlohmann::json::parse(q.getColumn(1).getString());
  CHECK(integrity.at("source_waits") == 2);
  CHECK(integrity.at("source_wait_ms").get<std::int64_t>() > 0);
  const auto& reasons = integrity.at("source_waits_by_reason");
  REQUIRE(reasons.size() == 2);
  CHECK(reasons.contains("no interface named '" + name +
                         "' (list them with 'ip link' or 'tcpdump -D'; 'any' captures on all)"));
}

TEST_CASE("pcap live: exchanges on lo are stored within a second of completing", "[pcap][live]") {
  require_capture_rights();
  test::HttpTestServer server;
  test::CollectingSink sink;
  PcapLiveOptions options;
  options.interface = "lo";
  options.filter = "tcp port " + std::to_string(server.port());
  PcapLiveRecorder recorder(options, sink);
  REQUIRE(recorder.start().is_ok());

  httplib::Client client("127.0.0.1", server.port());
  auto first = client.Get("/json?n=3");
  REQUIRE(first);
  CHECK(wait_for(sink, 1, 1000ms) == 1);
  auto second = client.Get("/etag", {{"If-None-Match", test::kEtag}});
  REQUIRE(second);
  CHECK(wait_for(sink, 2, 1000ms) == 2);

  REQUIRE(recorder.stop().is_ok());
  const auto got = sink.snapshot();
  REQUIRE(got.size() == 2);
  CHECK(got[0].request.url == "http://127.0.0.1:" + std::to_string(server.port()) + "/json?n=3");
  CHECK(got[0].response->status == 200);
  CHECK(got[0].response->body.data == test::json_body(3));
  CHECK(got[1].response->status == 304);
  CHECK(got[1].response->body.data.empty());
  const PcapLiveStats stats = recorder.stats();
  CHECK(stats.exchanges == 2);
  CHECK(stats.packets > 0);
}

TEST_CASE("live recording: max_exchanges makes it due after that many, and the session keeps that many",
          "[pcap][live][ingest]") {
  require_capture_rights();
  test::HttpTestServer server;
  test::TempDir dir;
  LiveRecordingOptions options;
  options.db_path = dir.file("live.db");
  options.name = "limited";
  options.max_exchanges = 2;
  PcapSourceConfig pcap;
  pcap.interface = "lo";
  pcap.filter = "tcp port " + std::to_string(server.port());
  options.source.source = pcap;
  auto recording = LiveRecording::start(std::move(options));
  REQUIRE(recording.is_ok());
  LiveRecording& r = **recording;
  CHECK_FALSE(r.due());
  httplib::Client client("127.0.0.1", server.port());
  for (int i = 0; i < 4; ++i) REQUIRE(client.Get("/json?n=1"));
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!r.due() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  CHECK(r.due());
  const RecordingEnd end = r.stop();
  CHECK(end.failure.is_ok());
  CHECK(end.ended.is_ok());
  CHECK(end.exchanges >= 2);

  SQLite::Database db(dir.file("live.db"));
  SQLite::Statement session(db, "SELECT name, source, status, exchange_count FROM sessions WHERE id = ?");
  session.bind(1, static_cast<std::int64_t>(end.session_id));
  REQUIRE(session.executeStep());
  CHECK(session.getColumn(0).getString() == "limited");
  CHECK(session.getColumn(1).getString() == "pcap-live");
  CHECK(session.getColumn(2).getString() == "stopped");
  CHECK(session.getColumn(3).getInt64() == 2);
  // Its capture integrity, final: what the kernel and the pipeline saw, zeros included.
  SQLite::Statement integrity(db,
                              "SELECT json_extract(integrity, '$.packets'), json_extract(integrity, '$.kernel_dropped'), "
                              "json_extract(integrity, '$.tcp_connections'), json_extract(integrity, '$.tcp_gap_bytes') "
                              "FROM sessions WHERE id = ?");
  integrity.bind(1, static_cast<std::int64_t>(end.session_id));
  REQUIRE(integrity.executeStep());
  CHECK(integrity.getColumn(0).getInt64() > 0);
  CHECK_FALSE(integrity.getColumn(1).isNull());
  CHECK(integrity.getColumn(2).getInt64() >= 1);
  CHECK(integrity.getColumn(3).getInt64() == 0);
}

TEST_CASE("live recording: a source that cannot start leaves no session behind", "[pcap][live][ingest]") {
  test::TempDir dir;
  LiveRecordingOptions options;
  options.db_path = dir.file("live.db");
  PcapSourceConfig missing;
  missing.interface = "nosuch0";
  options.source.source = missing;
  auto recording = LiveRecording::start(std::move(options));
  REQUIRE_FALSE(recording.is_ok());
  CHECK((recording.status().is(Status::Code::not_found) || recording.status().is(Status::Code::unavailable)));
  SQLite::Database db(dir.file("live.db"));
  CHECK(db.execAndGet("SELECT count(*) FROM sessions").getInt64() == 0);

  LiveRecordingOptions bad;
  bad.db_path = dir.file("never.db");
  PcapSourceConfig tiny;
  tiny.interface = "lo";
  tiny.snaplen = 64;
  bad.source.source = tiny;
  auto refused = LiveRecording::start(std::move(bad));
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().is(Status::Code::invalid_input));
  CHECK(refused.status().message().find("snaplen") != std::string::npos);
}

TEST_CASE("pcap live: start() says what is wrong with the interface or the filter", "[pcap][live]") {
  test::CollectingSink sink;
  PcapLiveOptions missing;
  missing.interface = "nosuch0";
  PcapLiveRecorder no_device(missing, sink);
  const Status s = no_device.start();
  REQUIRE_FALSE(s.is_ok());
  if (::geteuid() == 0) {
    CHECK(s.is(Status::Code::not_found));
    CHECK(s.message().find("no interface named 'nosuch0'") != std::string::npos);
  } else {
    CHECK(s.is(Status::Code::unavailable));
    CHECK(s.message().find("no permission to capture") != std::string::npos);
  }

  require_capture_rights();
  PcapLiveOptions bad_filter;
  bad_filter.interface = "lo";
  bad_filter.filter = "tcp port";
  PcapLiveRecorder recorder(bad_filter, sink);
  const Status f = recorder.start();
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.is(Status::Code::invalid_input));
  CHECK(f.message().find("bad --filter 'tcp port'") != std::string::npos);
}

TEST_CASE("record pcap on a full disk stops with a clear error, keeps what it committed, and records again once space "
          "is freed",
          "[pcap][live][full_disk]") {
  require_capture_rights();
  test::SmallFilesystem fs(4u << 20);
  if (!fs.mounted()) test::skip_test("cannot mount a small tmpfs");
  test::TempDir dir;
  test::HttpTestServer server;
  const std::string db_path = fs.file("traffic.db");
  const std::vector<std::string> record = {TRAFFICDB_BINARY, "--db", db_path, "record", "pcap", "--interface", "lo",
                                           "--filter", "tcp port " + std::to_string(server.port())};
  test::write_file(fs.file("filler"), std::string(1u << 20, 'x'));
  {
    test::RunningProcess recorder(record, {}, dir.file("full.out"), dir.file("full.err"));
    REQUIRE(recorder.wait_for_output("capturing on lo", 20s, true));
    // Distinct 20 KB bodies both ways (POST /echo): ~16 MB into what is left
    // of 4 MB, in bursts the writer commits one by one until the disk is full.
    httplib::Client client("127.0.0.1", server.port());
    for (unsigned i = 0; i < 400 && recorder.running(); ++i) {
      client.Post("/echo", test::deterministic_bytes(20000, i), "application/octet-stream");
      if (i % 10 == 9) std::this_thread::sleep_for(300ms);
    }
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (recorder.running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    const int status = recorder.stop();
    INFO(recorder.err());
    CHECK(status != 0);
    CHECK(recorder.err().find("no space left where the database is") != std::string::npos);
  }
  {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    SQLite::Statement session(db, "SELECT status, coalesce(error, '') FROM sessions WHERE id = 1");
    REQUIRE(session.executeStep());
    CHECK(session.getColumn(0).getString() == "failed");
    CHECK(session.getColumn(1).getString().find("disk is full") != std::string::npos);
    // What was committed before the disk filled is whole: each exchange has both 20 KB bodies.
    const int stored = db.execAndGet("SELECT count(*) FROM exchanges").getInt();
    CHECK(stored > 0);
    CHECK(db.execAndGet("SELECT count(*) FROM exchanges e JOIN bodies q ON q.id = e.req_body_id "
                        "JOIN bodies r ON r.id = e.resp_body_id WHERE length(q.data) = 20000 AND q.data = r.data")
              .getInt() == stored);
  }
  // Space freed: the next recording stores what it sees and stops cleanly.
  std::filesystem::remove(fs.file("filler"));
  test::RunningProcess recorder(record, {}, dir.file("after.out"), dir.file("after.err"));
  REQUIRE(recorder.wait_for_output("capturing on lo", 20s, true));
  httplib::Client client("127.0.0.1", server.port());
  for (int n = 1; n <= 3; ++n) REQUIRE(client.Get("/json?n=" + std::to_string(n)));
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  auto stored = [&] { return db.execAndGet("SELECT count(*) FROM exchanges WHERE session_id = 2").getInt(); };
  while (stored() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  CHECK(stored() == 3);
  CHECK(recorder.stop() == 0);
  CHECK(db.execAndGet("SELECT status FROM sessions WHERE id = 2").getString() == "stopped");
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE("record pcap applies the database's retention policy while it records, and logs each round",
          "[pcap][live][retention]") {
  require_capture_rights();
  test::TempDir dir;
  test::HttpTestServer server;
  const std::string db_path = dir.file("traffic.db");
  REQUIRE(test::run_trafficdb({"--db", db_path, "retention", "set", "--max-size", "2MB"}).exit_code == 0);
  test::RunningProcess recorder({TRAFFICDB_BINARY, "--db", db_path, "record", "pcap", "--interface", "lo", "--filter",
                                 "tcp port " + std::to_string(server.port()), "--retention-every", "200ms"},
                                {}, dir.file("out"), dir.file("err"));
  REQUIRE(recorder.wait_for_output("capturing on lo", 20s, true));
  // Distinct 20 KB bodies (echoed: stored once for both ways): 5 MB, two and a half times the limit.
  httplib::Client client("127.0.0.1", server.port());
  for (unsigned i = 0; i < 250; ++i) {
    REQUIRE(client.Post("/echo", test::deterministic_bytes(20000, i), "application/octet-stream"));
    if (i % 10 == 9) std::this_thread::sleep_for(100ms);  // bursts the capture buffer holds
  }
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  auto pruned = [&] { return db.execAndGet("SELECT pruned_count FROM sessions WHERE id = 1").getInt(); };
  auto stored = [&] { return db.execAndGet("SELECT exchange_count + pruned_count FROM sessions WHERE id = 1").getInt(); };
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while ((stored() < 250 || recorder.err().find("retention: removed") == std::string::npos) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  CHECK(recorder.stop() == 0);
  INFO(recorder.err());
  CHECK(stored() > 0);  // all 250 unless the kernel dropped packets (the log says so)
  CHECK(pruned() > 0);
  // Each round that removed something is one line, with what it removed and its longest lock hold.
  const std::string err = recorder.err();
  CHECK(occurrences(err, "retention: removed") >= 1);
  CHECK(err.find("longest write-lock hold") != std::string::npos);
  CHECK(err.find("retention round failed") == std::string::npos);
  // The database stays near its limit: what is used, not what the log holds.
  const std::int64_t used = db.execAndGet("SELECT ((SELECT page_count FROM pragma_page_count) - "
                                          "(SELECT freelist_count FROM pragma_freelist_count)) * "
                                          "(SELECT page_size FROM pragma_page_size)")
                                .getInt64();
  CHECK(used <= 3 * (1 << 20));
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
}
