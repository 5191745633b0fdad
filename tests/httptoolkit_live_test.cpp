// The HTTP Toolkit source against the real thing: a Mockttp admin server
// (the engine HTTP Toolkit runs) on loopback, curl and a WebSocket client
// sending traffic through its proxy to a local upstream, `trafficdb record
// httptoolkit` (or the recorder itself) recording it; the stored rows are
// checked field by field against what was sent. Also: an aborted request,
// an unparseable one, a 5 MB upload, the admin server killed and started
// again mid-recording, attaching to HTTP Toolkit's own session (found from
// its files, with its Origin check) and to a session that does not exist.
//
// Needs node and tests/node/node_modules (scripts/setup-node.sh) and curl;
// skips without them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <thread>

#include "common/timestamp.h"
#include "recorder/httptoolkit/httptoolkit_recorder.h"
#include "store/content_hash.h"
#include "tests/mockttp_peers.h"
#include "tests/test_support.h"

using namespace trafficdb;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

using Row = std::map<std::string, std::optional<std::string>>;

// Every row of `sql` on the database at `path`, each column as text (blobs
// as their bytes), NULL as nullopt.
std::vector<Row> rows(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  SQLite::Statement q(db, sql);
  std::vector<Row> out;
  while (q.executeStep()) {
    Row r;
    for (int i = 0; i < q.getColumnCount(); ++i) {
      const SQLite::Column c = q.getColumn(i);
      r[c.getName()] = c.isNull() ? std::nullopt : std::optional<std::string>(c.getString());
    }
    out.push_back(std::move(r));
  }
  return out;
}

const char* kExchangesWithBodies =
    "SELECT e.*, qb.data AS req_body, rb.data AS resp_body FROM exchanges e "
    "LEFT JOIN bodies qb ON qb.id = e.req_body_id LEFT JOIN bodies rb ON rb.id = e.resp_body_id ORDER BY e.id";

std::int64_t exchange_count(const std::string& db) {
  try {
    return std::stoll(*rows(db, "SELECT count(*) AS n FROM exchanges")[0]["n"]);
  } catch (const std::exception&) {
    return -1;  // not created yet, or busy
  }
}

bool wait_for_exchanges(const std::string& db, std::int64_t n, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (exchange_count(db) < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

std::int64_t number(const Row& r, const char* column) { return std::stoll(r.at(column).value()); }

// `trafficdb record httptoolkit ...` running, recording into `db`.
class RecordingCli {
 public:
  RecordingCli(const test::TempDir& dir, const std::string& db, std::vector<std::string> args) {
    std::vector<std::string> argv{TRAFFICDB_BINARY, "--db", db, "record", "httptoolkit"};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<test::RunningProcess>(argv, std::vector<std::string>{}, dir.file("record.out"),
                                                      dir.file("record.err"));
  }
  // Waits for it to say it records; returns the proxy port it says.
  int wait_recording() {
    const std::string said = "send traffic through the proxy http://127.0.0.1:";
    if (!process_->wait_for_output(said, 30s, true)) FAIL("record httptoolkit did not start: " << process_->err());
    const std::string err = process_->err();
    return std::stoi(err.substr(err.find(said) + said.size()));
  }
  int stop() { return process_->stop(SIGTERM); }
  std::string err() const { return process_->err(); }
  test::RunningProcess& process() { return *process_; }

 private:
  std::unique_ptr<test::RunningProcess> process_;
};

// Real Mockttp peers and `record httptoolkit --listen PORT` recording their
// traffic into a fresh database, started and saying so.
struct ListeningRecording {
  test::MockttpPeers peers;
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  const int port = test::free_port();
  RecordingCli recorder{dir, db, {"--admin", peers.admin_url(), "--listen", std::to_string(port)}};
  ListeningRecording() { REQUIRE(recorder.wait_recording() == port); }
  std::string proxy() const { return "http://127.0.0.1:" + std::to_string(port); }
  std::string upstream() const { return "http://127.0.0.1:" + std::to_string(peers.upstream_http_port()); }
};

test::CommandResult curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"curl", "-sS"};
  argv.insert(argv.end(), args.begin(), args.end());
  return test::run_command(argv);
}

// Skips the test (returns true) when the peers cannot run here.
bool skip_without_peers() {
  std::string why = test::mockttp_unavailable();
  if (why.empty() && test::run_command({"curl", "--version"}).exit_code != 0) why = "curl is not installed";
  if (why.empty()) return false;
  test::skip_test(why);
  return true;
}

json headers_of(const Row& r, const char* column) { return json::parse(r.at(column).value()); }

// Sends a request line that is not HTTP to the proxy; returns what came back.
std::string send_garbage(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string garbage = "GARBAGE LINE\r\n\r\n";
    if (write(fd, garbage.data(), garbage.size()) == static_cast<ssize_t>(garbage.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0) answer.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return answer;
}

}  // namespace

TEST_CASE("record httptoolkit --listen: HTTP, HTTPS and a WebSocket through Mockttp, stored field by field",
          "[httptoolkit-live]") {
  if (skip_without_peers()) return;
  test::MockttpPeers peers(/*strict_origin=*/true);  // as HTTP Toolkit's admin server: the Origin is checked
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  const Micros before = now_micros();
  RecordingCli recorder(dir, db,
                        {"--admin", peers.admin_url(), "--listen", std::to_string(test::free_port()), "--https-cert",
                         peers.ca_cert(), "--https-key", peers.ca_key(), "--name", "live"});
  const int proxy = recorder.wait_recording();
  const std::string via = "http://127.0.0.1:" + std::to_string(proxy);
  const std::string http = "http://127.0.0.1:" + std::to_string(peers.upstream_http_port());
  const std::string https = "https://localhost:" + std::to_string(peers.upstream_https_port());

  auto gzip = curl({"-x", via, http + "/gzip?x=1&y=2", "-H", "X-Dup: 1", "-H", "X-Dup: 2", "--compressed"});
  REQUIRE(gzip.out == R"({"hello":"world","query":"?x=1&y=2"})");
  auto form = curl({"-x", via, "--cacert", peers.ca_cert(), https + "/form", "-d", "a=1&b=2"});
  REQUIRE(form.out == "got 7");
  auto teapot = curl({"-x", via, http + "/status/418"});
  REQUIRE(teapot.out == "status 418");
  auto ws = test::run_command({"node", std::string(TRAFFICDB_SOURCE_DIR) + "/tests/node/mockttp_ws_client.mjs", via,
                               "ws://127.0.0.1:" + std::to_string(peers.upstream_http_port()) + "/chat", "hello text",
                               "00010280ff"});
  REQUIRE(ws.exit_code == 0);
  REQUIRE(ws.out == "echo text 68656c6c6f2074657874\necho binary 00010280ff\nclosed 1000\n");

  REQUIRE(wait_for_exchanges(db, 4));
  CHECK(recorder.stop() == 0);
  const Micros after = now_micros();
  INFO(recorder.err());
  CHECK(recorder.err().find("stopped: 4 exchanges stored in session 1") != std::string::npos);

  const auto sessions = rows(db, "SELECT * FROM sessions");
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].at("name") == "live");
  CHECK(sessions[0].at("source") == "httptoolkit");
  CHECK(sessions[0].at("status") == "stopped");
  CHECK(sessions[0].at("source_uri") == peers.admin_url());
  CHECK(sessions[0].at("exchange_count") == "4");
  CHECK(sessions[0].at("error_count") == "0");
  const json options = json::parse(sessions[0].at("options").value());
  CHECK(options["mode"] == "listen");
  CHECK(options["https"] == true);

  const auto ex = rows(db, kExchangesWithBodies);
  REQUIRE(ex.size() == 4);
  for (const Row& r : ex) {
    CHECK_FALSE(r.at("error"));
    CHECK(r.at("source_key")->size() == 36);  // Mockttp's request id, a UUID
    CHECK(r.at("client_addr")->rfind("127.0.0.1:", 0) == 0);
    CHECK(number(r, "started_at") >= before - 1000);  // Mockttp's start time has millisecond precision
    CHECK(number(r, "started_at") <= number(r, "ended_at"));
    CHECK(number(r, "ended_at") <= after);
    CHECK(r.at("http_version") == "HTTP/1.1");
  }

  const Row& g = ex[0];
  CHECK(g.at("method") == "GET");
  CHECK(g.at("url") == http + "/gzip?x=1&y=2");
  CHECK(g.at("scheme") == "http");
  CHECK(g.at("host") == "127.0.0.1");
  CHECK(number(g, "port") == peers.upstream_http_port());
  CHECK(g.at("path") == "/gzip");
  CHECK(g.at("query") == "x=1&y=2");
  CHECK(g.at("server_addr") == "127.0.0.1:" + std::to_string(peers.upstream_http_port()));
  const json gq = headers_of(g, "req_headers");
  REQUIRE(gq.size() == 6);  // curl's, in the order it sent them, the duplicate kept
  CHECK(gq[0] == json::array({"Host", "127.0.0.1:" + std::to_string(peers.upstream_http_port())}));
  CHECK(gq[3] == json::array({"Accept-Encoding", "deflate, gzip, br, zstd"}));
  CHECK(gq[4] == json::array({"X-Dup", "1"}));
  CHECK(gq[5] == json::array({"X-Dup", "2"}));
  CHECK(g.at("status") == "200");
  CHECK(g.at("status_text") == "OK");
  CHECK(headers_of(g, "resp_headers")[1] == json::array({"content-encoding", "gzip"}));
  CHECK(g.at("resp_body") == R"({"hello":"world","query":"?x=1&y=2"})");
  CHECK(number(g, "resp_body_size") == 36);
  CHECK(number(g, "resp_wire_size") > 36);  // gzip's header and trailer on a short body
  CHECK(g.at("resp_content_type") == "application/json");
  CHECK(number(g, "req_body_size") == 0);
  CHECK_FALSE(g.at("req_body"));
  CHECK(json::parse(g.at("details").value())["matched_rule_id"] == "trafficdb-passthrough");
  CHECK(number(g, "request_sent_at") <= number(g, "response_started_at"));

  const Row& f = ex[1];
  CHECK(f.at("method") == "POST");
  CHECK(f.at("url") == https + "/form");
  CHECK(f.at("scheme") == "https");
  CHECK(f.at("host") == "localhost");
  CHECK(number(f, "port") == peers.upstream_https_port());
  CHECK_FALSE(f.at("query"));
  CHECK(f.at("req_body") == "a=1&b=2");
  CHECK(f.at("req_content_type") == "application/x-www-form-urlencoded");
  CHECK(f.at("status") == "201");
  CHECK(f.at("status_text") == "Made");
  const json fr = headers_of(f, "resp_headers");
  CHECK(fr[0] == json::array({"Set-Cookie", "a=1"}));
  CHECK(fr[1] == json::array({"Set-Cookie", "b=2"}));
  CHECK(f.at("resp_body") == "got 7");
  CHECK_FALSE(f.at("server_addr"));  // a name: Mockttp does not say what it resolved to
  CHECK(json::parse(f.at("details").value())["destination"] == "localhost:" + std::to_string(peers.upstream_https_port()));

  const Row& t = ex[2];
  CHECK(t.at("path") == "/status/418");
  CHECK(t.at("status") == "418");
  CHECK(t.at("status_text") == "Custom Reason");
  CHECK(t.at("resp_body") == "status 418");

  const Row& w = ex[3];
  CHECK(w.at("url") == "ws://127.0.0.1:" + std::to_string(peers.upstream_http_port()) + "/chat");
  CHECK(w.at("scheme") == "ws");
  CHECK(w.at("status") == "101");
  CHECK(w.at("status_text") == "Switching Protocols");
  CHECK(json::parse(w.at("details").value())["websocket_close"] == json({{"code", 1000}, {"reason", "done"}}));
  const auto messages =
      rows(db, "SELECT * FROM websocket_messages WHERE exchange_id = " + *w.at("id") + " ORDER BY seq");
  REQUIRE(messages.size() == 4);
  std::vector<const Row*> client, server;
  for (const Row& m : messages) (m.at("sender") == "client" ? client : server).push_back(&m);
  REQUIRE(client.size() == 2);
  REQUIRE(server.size() == 2);
  for (const auto* side : {&client, &server}) {
    CHECK((*side)[0]->at("opcode") == "1");
    CHECK((*side)[0]->at("payload") == "hello text");
    CHECK((*side)[0]->at("is_text") == "1");
    CHECK((*side)[1]->at("opcode") == "2");
    CHECK((*side)[1]->at("payload") == std::string("\x00\x01\x02\x80\xff", 5));
    CHECK((*side)[1]->at("size") == "5");
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const Micros at = number(messages[i], "at");
    CHECK(at >= number(w, "started_at"));
    CHECK(at <= number(w, "ended_at"));
    if (i > 0) CHECK(at >= number(messages[i - 1], "at"));  // stored in time order
  }
  CHECK(number(*client[0], "at") <= number(*server[0], "at"));  // the echo came after
}

TEST_CASE("record httptoolkit: an aborted request, a garbage request line, 5 and 24 MB uploads, one open at the end",
          "[httptoolkit-live]") {
  if (skip_without_peers()) return;
  test::MockttpPeers peers;
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  RecordingCli recorder(dir, db, {"--admin", peers.admin_url(), "--listen", "0", "--max-body", "8388608"});
  const int proxy = recorder.wait_recording();
  const std::string via = "http://127.0.0.1:" + std::to_string(proxy);
  const std::string http = "http://127.0.0.1:" + std::to_string(peers.upstream_http_port());

  std::string upload(5u << 20, '\0');
  for (std::size_t i = 0; i < upload.size(); ++i) upload[i] = static_cast<char>((i * 7919) >> 3);
  test::write_file(dir.file("upload.bin"), upload);
  const ContentHash hash = content_hash(upload);
  std::string hex;
  for (const unsigned char c : hash) {
    static const char* digits = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  auto up = curl({"-x", via, http + "/upload", "-H", "Content-Type: application/octet-stream", "--data-binary",
                  "@" + dir.file("upload.bin")});
  REQUIRE(up.out == "5242880 " + hex);
  // A 32 MB event: read as it arrives, its body cut at --max-body while it is read.
  std::string large(24u << 20, '\0');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('a' + i % 26);
  test::write_file(dir.file("large.bin"), large);
  auto big = curl({"-x", via, http + "/upload?large", "--data-binary", "@" + dir.file("large.bin")});
  REQUIRE(big.out.rfind("25165824 ", 0) == 0);
  CHECK(curl({"-x", via, "-m", "1", http + "/hang"}).exit_code == 28);  // curl gave up: the proxy aborts
  CHECK(send_garbage(proxy).rfind("HTTP/1.1 400 Bad Request", 0) == 0);
  REQUIRE(wait_for_exchanges(db, 4));

  // Still waiting for its response when recording stops.
  test::RunningProcess waiting({"curl", "-sS", "-m", "60", "-x", via, http + "/hang?open"}, {}, dir.file("c.out"),
                               dir.file("c.err"));
  // Through Mockttp, which announced it to the recorder as it forwarded it.
  REQUIRE(peers.upstream().wait_for_output("hanging /hang?open", 30s));
  std::this_thread::sleep_for(200ms);  // the event's way over the local WebSocket
  CHECK(recorder.stop() == 0);
  waiting.stop(SIGKILL);

  const auto ex = rows(db, kExchangesWithBodies);
  REQUIRE(ex.size() == 5);
  INFO(recorder.err());
  auto find = [&](const std::string& path, std::optional<std::string> query) -> const Row& {
    for (const Row& r : ex)
      if (r.at("path") == path && r.at("query") == query) return r;
    FAIL("no exchange for " << path);
    return ex[0];
  };

  const Row& u = find("/upload", std::nullopt);
  CHECK_FALSE(u.at("error"));
  CHECK(number(u, "req_body_size") == 5242880);
  CHECK(number(u, "req_wire_size") == 5242880);
  CHECK(u.at("req_body") == upload);
  CHECK(u.at("req_content_type") == "application/octet-stream");
  CHECK(u.at("resp_body") == "5242880 " + hex);

  const Row& l = find("/upload", "large");
  CHECK_FALSE(l.at("error"));  // whole on the wire: only what is kept was cut
  CHECK(number(l, "req_body_size") == 25165824);  // from its Content-Length
  CHECK(l.at("req_body") == large.substr(0, 8u << 20));
  CHECK(json::parse(l.at("details").value())["caveats"][0] ==
        "request body: the event carried 24.0 MiB of it, more than the body limit; the first 8.0 MiB were kept");
  CHECK(l.at("resp_body")->rfind("25165824 ", 0) == 0);

  const Row& a = find("/hang", std::nullopt);
  CHECK_FALSE(a.at("status"));
  CHECK(a.at("error")->rfind("aborted before its response completed", 0) == 0);
  CHECK(number(a, "ended_at") - number(a, "started_at") >= 900000);  // curl waited its second

  const Row& c = find("LINE", std::nullopt);
  CHECK(c.at("method") == "GARBAGE");
  CHECK(c.at("url") == "LINE");
  CHECK(c.at("status") == "400");
  CHECK(c.at("error") ==
        "client error: the request is not valid HTTP (HPE_INVALID_METHOD); Mockttp answered it with an error response");
  CHECK(json::parse(c.at("details").value())["client_error_code"] == "HPE_INVALID_METHOD");

  const Row& open = find("/hang", "open");
  CHECK(open.at("error") == "still open when recording stopped: no response had come");
  CHECK_FALSE(open.at("status"));

  const auto session = rows(db, "SELECT * FROM sessions")[0];
  CHECK(session.at("status") == "stopped");
  CHECK(session.at("error_count") == "3");
  CHECK(recorder.err().find("stopped: 5 exchanges stored") != std::string::npos);
}

TEST_CASE("record httptoolkit: the admin server killed and started again mid-recording", "[httptoolkit-live]") {
  if (skip_without_peers()) return;
  ListeningRecording r;
  test::MockttpPeers& peers = r.peers;
  const std::string& db = r.db;
  RecordingCli& recorder = r.recorder;
  const std::string via = r.proxy(), http = r.upstream();
  REQUIRE(curl({"-x", via, http + "/before"}).out == "got 0");
  REQUIRE(wait_for_exchanges(db, 1));

  peers.kill_admin();
  REQUIRE(recorder.process().wait_for_output("lost the subscription to Mockttp", 20s, true));
  peers.start_admin();
  // The recorder starts its session again, on the same port, and subscribes.
  REQUIRE(recorder.process().wait_for_output("subscribed again", 30s, true));
  REQUIRE(curl({"-x", via, http + "/after"}).out == "got 0");
  REQUIRE(wait_for_exchanges(db, 2));
  CHECK(recorder.stop() == 0);

  const std::string err = recorder.err();
  INFO(err);
  CHECK(err.find("nothing was recorded from ") != std::string::npos);
  CHECK(err.find("1 reconnections (") != std::string::npos);
  const auto ex = rows(db, kExchangesWithBodies);
  REQUIRE(ex.size() == 2);
  CHECK(ex[0].at("path") == "/before");
  CHECK(ex[1].at("path") == "/after");
  for (const Row& r : ex) {
    CHECK(r.at("status") == "201");
    CHECK(r.at("resp_body") == "got 0");
    CHECK_FALSE(r.at("error"));
  }
  CHECK(rows(db, "SELECT status FROM sessions")[0].at("status") == "stopped");
}

TEST_CASE("record httptoolkit --wait: started before the admin server, it waits, then records, and survives a restart",
          "[httptoolkit-live]") {
  if (skip_without_peers()) return;
  test::MockttpPeers peers(/*strict_origin=*/false, /*admin_running=*/false);
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  const int port = test::free_port();
  RecordingCli recorder(dir, db, {"--admin", peers.admin_url(), "--listen", std::to_string(port), "--wait"});
  REQUIRE(recorder.process().wait_for_output("waiting for the source (--wait): ", 20s, true));
  // The session is there, recording, while the source is awaited.
  REQUIRE(recorder.process().wait_for_output("waiting for httptoolkit at " + peers.admin_url() + " into session 1",
                                              20s, true));
  CHECK(rows(db, "SELECT status FROM sessions")[0].at("status") == "recording");
  std::this_thread::sleep_for(1500ms);  // at least one retry
  CHECK(recorder.process().err().find("; trying again in 2.0 s") != std::string::npos);

  peers.start_admin();
  REQUIRE(recorder.wait_recording() == port);
  REQUIRE(recorder.process().wait_for_output("the source is there after ", 5s, true));
  const std::string via = "http://127.0.0.1:" + std::to_string(port);
  const std::string http = "http://127.0.0.1:" + std::to_string(peers.upstream_http_port());
  REQUIRE(curl({"-x", via, http + "/first"}).out == "got 0");
  REQUIRE(wait_for_exchanges(db, 1));

  peers.kill_admin();  // HTTP Toolkit restarted: the source's own reconnection brings it back
  REQUIRE(recorder.process().wait_for_output("lost the subscription to Mockttp", 20s, true));
  peers.start_admin();
  REQUIRE(recorder.process().wait_for_output("subscribed again", 30s, true));
  REQUIRE(curl({"-x", via, http + "/second"}).out == "got 0");
  REQUIRE(wait_for_exchanges(db, 2));

  CHECK(recorder.stop() == 0);  // SIGTERM
  const std::string err = recorder.err();
  INFO(err);
  CHECK(err.find("stopped: 2 exchanges stored in session 1") != std::string::npos);
  CHECK(err.find("waited for the source 1 time (") != std::string::npos);
  const auto session = rows(db, "SELECT status, exchange_count, integrity FROM sessions")[0];
  CHECK(session.at("status") == "stopped");
  CHECK(session.at("exchange_count") == "2");
  const json integrity = json::parse(session.at("integrity").value());
  CHECK(integrity.at("source_waits") == 1);
  CHECK(integrity.at("source_wait_ms").get<std::int64_t>() >= 1000);
  CHECK(integrity.at("source_waits_by_reason").size() == 1);
  CHECK(integrity.at("reconnects") == 1);
  CHECK(json::parse(rows(db, "SELECT options FROM sessions")[0].at("options").value()).at("wait") == true);
  const auto ex = rows(db, kExchangesWithBodies);
  REQUIRE(ex.size() == 2);
  CHECK(ex[0].at("path") == "/first");
  CHECK(ex[1].at("path") == "/second");
}

TEST_CASE("record httptoolkit killed (SIGKILL): its session shows as interrupted, and the next writer marks it",
          "[httptoolkit-live]") {
  if (skip_without_peers()) return;
  ListeningRecording r;
  const std::string& db = r.db;
  RecordingCli& recorder = r.recorder;
  REQUIRE(curl({"-x", r.proxy(), r.upstream() + "/kept"}).out == "got 0");
  REQUIRE(wait_for_exchanges(db, 1));
  auto listed = [&] {
    auto r = test::run_trafficdb({"--db", db, "sessions", "--json"});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out).at(0);
  };
  CHECK(listed().at("status") == "recording");

  CHECK(recorder.process().stop(SIGKILL) == 128 + SIGKILL);
  const json shown = listed();
  CHECK(shown.at("status") == "failed");
  CHECK(shown.at("error").get<std::string>().find("interrupted: the process recording it ended") == 0);
  CHECK(rows(db, "SELECT status FROM sessions")[0].at("status") == "recording");  // listing wrote nothing

  // The next writer (an import) marks it in the database, for sqlite3 users too.
  REQUIRE(test::run_trafficdb({"--db", db, "import", std::string(TRAFFICDB_SOURCE_DIR) + "/examples/sample.har"})
              .exit_code == 0);
  const auto sessions = rows(db, "SELECT status, error FROM sessions ORDER BY id");
  REQUIRE(sessions.size() == 2);
  CHECK(sessions[0].at("status") == "failed");
  CHECK(sessions[0].at("error")->find("interrupted") == 0);
  CHECK(sessions[1].at("status") == "imported");
  CHECK(exchange_count(db) > 1);  // the recorded exchange is kept beside the imported ones
  CHECK(rows(db, "SELECT path FROM exchanges WHERE session_id = 1")[0].at("path") == "/kept");
}

TEST_CASE("record httptoolkit --attach: a session that does not exist is a clear error", "[httptoolkit-live]") {
  if (skip_without_peers()) return;
  test::MockttpPeers peers;
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  const std::string missing = "00000000-0000-4000-8000-000000000000";
  auto r = test::run_trafficdb({"--db", db, "record", "httptoolkit", "--admin", peers.admin_url(), "--attach", missing,
                                "--duration", "5s"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("the admin server at " + peers.admin_url() + " has no session " + missing) != std::string::npos);
  CHECK(r.err.find("--attach auto finds it") != std::string::npos);
  CHECK(rows(db, "SELECT * FROM sessions").empty());  // nothing left behind

  auto bad = test::run_trafficdb({"--db", db, "record", "httptoolkit", "--attach", "../stop"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("is not a Mockttp session id") != std::string::npos);

  auto nobody = test::run_trafficdb({"--db", db, "record", "httptoolkit", "--admin",
                                     "http://127.0.0.1:" + std::to_string(test::free_port()), "--listen", "0"});
  CHECK(nobody.exit_code == 2);
  CHECK(nobody.err.find("cannot reach the Mockttp admin server") != std::string::npos);

  auto none_running = test::run_trafficdb({"--db", db, "record", "httptoolkit", "--admin", peers.admin_url()},
                                          {"TMPDIR=" + dir.path()});
  CHECK(none_running.exit_code == 2);
  CHECK(none_running.err.find("no running HTTP Toolkit session found") != std::string::npos);
}

TEST_CASE("HttpToolkitRecorder: attached to HTTP Toolkit's own session, found from its files", "[httptoolkit-live]") {
  if (skip_without_peers()) return;
  test::MockttpPeers peers(/*strict_origin=*/true);

  // HTTP Toolkit's UI starts its session and rules itself; so does the test.
  httplib::Client admin("127.0.0.1", peers.admin_port());
  const httplib::Headers origin{{"Origin", kHttpToolkitOrigin}};
  const json start = {{"plugins",
                       {{"http",
                         {{"options", {{"https", {{"cert", test::read_file(peers.ca_cert())}, {"key", test::read_file(peers.ca_key())}}}}},
                          {"messageBodyDecoding", "none"}}}}}};
  auto started = admin.Post("/start", origin, start.dump(), "application/json");
  REQUIRE(started);
  REQUIRE(started->status == 200);
  const json session = json::parse(started->body);
  const std::string id = session["id"];
  const int proxy = session["pluginData"]["http"]["port"];
  const json rules = {{"query", "mutation R($r: [MockRule!]!) { setRules(input: $r) { id } }"},
                      {"variables", {{"r", {{{"matchers", {{{"type", "wildcard"}}}}, {"steps", {{{"type", "passthrough"}}}}}}}}}};
  auto set = admin.Post("/session/" + id + "/", origin, rules.dump(), "application/json");
  REQUIRE(set);
  REQUIRE(set->status == 200);

  // Its files: a stale one (newest), the live one, and one that is not a session file.
  test::TempDir files;
  const std::string config = files.file("config");
  std::filesystem::create_directories(config);
  test::write_file(config + "/127_0_0_1." + std::to_string(proxy),
                   R"({"adminBaseUrl":"http://internal.httptoolkit.localhost:)" + std::to_string(peers.admin_port()) +
                       "/session/" + id + "\"}");
  std::filesystem::last_write_time(config + "/127_0_0_1." + std::to_string(proxy),
                                   std::filesystem::file_time_type::clock::now() - 60s);
  test::write_file(config + "/127_0_0_1.8999",
                   R"({"adminBaseUrl":"http://internal.httptoolkit.localhost:45456/session/dead-session"})");
  test::write_file(config + "/README", "not a session file");

  std::mutex log_mu;
  std::vector<std::string> log;
  HttpToolkitOptions options;
  options.admin_url = peers.admin_url();
  options.mode = HttpToolkitMode::attach_auto;
  options.session_dir = config;
  options.log = [&](const std::string& line) {
    std::lock_guard lk(log_mu);
    log.push_back(line);
  };
  test::CollectingSink found_sink, by_id_sink;
  HttpToolkitRecorder found(options, found_sink);
  REQUIRE(found.start().is_ok());
  options.mode = HttpToolkitMode::attach;
  options.session_id = id;
  options.log = {};
  HttpToolkitRecorder by_id(options, by_id_sink);  // a second subscriber gets every event too
  REQUIRE(by_id.start().is_ok());
  CHECK(found.stats().session_id == id);
  CHECK(found.stats().proxy_port == proxy);
  {
    std::lock_guard lk(log_mu);
    REQUIRE_FALSE(log.empty());
    CHECK(log[0] == "ignored " + config + "/README: it has no adminBaseUrl");
    CHECK(log[1] == "found HTTP Toolkit's session " + id + " (from " + config + "/127_0_0_1." +
                        std::to_string(proxy) + "; its proxy listens on port " + std::to_string(proxy) + ")");
  }

  const std::string via = "http://127.0.0.1:" + std::to_string(proxy);
  const std::string https = "https://localhost:" + std::to_string(peers.upstream_https_port());
  REQUIRE(curl({"-x", via, "--cacert", peers.ca_cert(), https + "/one?q=1"}).out == "got 0");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while ((found_sink.snapshot().empty() || by_id_sink.snapshot().empty()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  REQUIRE(found.stop().is_ok());
  REQUIRE(by_id.stop().is_ok());
  for (test::CollectingSink* sink : {&found_sink, &by_id_sink}) {
    const auto got = sink->snapshot();
    REQUIRE(got.size() == 1);
    CHECK(got[0].request.url == https + "/one?q=1");
    CHECK(got[0].response->status == 201);
    CHECK(got[0].response->body.data == "got 0");
    CHECK(got[0].error.empty());
  }
  CHECK(found.stats().stored == 1);
  CHECK(found.stats().reconnects == 0);

  // Attaching leaves HTTP Toolkit's session running.
  auto still = admin.Post("/session/" + id + "/", origin, R"({"query":"{ __typename }"})", "application/json");
  REQUIRE(still);
  CHECK(still->status == 200);
}
