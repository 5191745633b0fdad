// Imports captures of real TLS and HTTP/2 traffic: curl (and openssl
// s_client) with SSLKEYLOGFILE against a real nginx on loopback, TLS 1.3
// and 1.2 with every cipher family trafficdb decrypts, HTTP/2 with several
// streams at once, a large download and upload, h2c with prior knowledge.
// Every stored exchange is checked against nginx's own log and the files it
// served. Then what cannot be decrypted: no keys, one connection's keys
// missing, a wrong key, a capture that starts after the handshake; the same
// packets reordered, duplicated or overlapping; the key log taken from
// SSLKEYLOGFILE and from the pcapng itself; a live recording whose key log
// is written while it runs. Needs root, tcpdump, curl, openssl and nginx:
// skipped without them.

#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "tests/http_test_server.h"
#include "tests/loopback_capture.h"
#include "tests/nginx_server.h"
#include "tests/pcap_rewrite.h"
#include "tests/running_process.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

void require_peers() {
  if (std::string why = test::loopback_capture_unavailable(); !why.empty()) test::skip_test(why);
  if (std::string why = test::nginx_unavailable(); !why.empty()) test::skip_test(why);
}

struct Row {
  std::int64_t id = 0;
  std::string method, url, scheme, http_version, error, client_addr, cipher_suite, sni, alpn;
  int status = 0;
  std::int64_t req_body_size = -1, resp_body_size = -1, stream = 0;
  bool tunnel = false;
  std::string resp_body, req_body;
};

std::vector<Row> rows_of(const std::string& db_path) {
  SQLite::Database db(db_path);
  SQLite::Statement st(db,
                       "SELECT e.id, e.method, e.url, coalesce(e.scheme,''), coalesce(e.http_version,''), "
                       "coalesce(e.error,''), coalesce(e.client_addr,''), "
                       "coalesce(json_extract(e.details,'$.tls.cipher_suite'),''), "
                       "coalesce(json_extract(e.details,'$.tls.sni'),''), coalesce(json_extract(e.details,'$.tls.alpn'),''), "
                       "coalesce(e.status,0), coalesce(e.req_body_size,-1), coalesce(e.resp_body_size,-1), "
                       "coalesce(json_extract(e.details,'$.stream'),0), e.tunnel, coalesce(rs.data, x''), "
                       "coalesce(rq.data, x'') FROM exchanges e LEFT JOIN bodies rs ON rs.id = e.resp_body_id "
                       "LEFT JOIN bodies rq ON rq.id = e.req_body_id ORDER BY e.id");
  std::vector<Row> rows;
  while (st.executeStep()) {
    Row r;
    r.id = st.getColumn(0).getInt64();
    r.method = st.getColumn(1).getString();
    r.url = st.getColumn(2).getString();
    r.scheme = st.getColumn(3).getString();
    r.http_version = st.getColumn(4).getString();
    r.error = st.getColumn(5).getString();
    r.client_addr = st.getColumn(6).getString();
    r.cipher_suite = st.getColumn(7).getString();
    r.sni = st.getColumn(8).getString();
    r.alpn = st.getColumn(9).getString();
    r.status = st.getColumn(10).getInt();
    r.req_body_size = st.getColumn(11).getInt64();
    r.resp_body_size = st.getColumn(12).getInt64();
    r.stream = st.getColumn(13).getInt64();
    r.tunnel = st.getColumn(14).getInt() != 0;
    r.resp_body.assign(static_cast<const char*>(st.getColumn(15).getBlob()), st.getColumn(15).getBytes());
    r.req_body.assign(static_cast<const char*>(st.getColumn(16).getBlob()), st.getColumn(16).getBytes());
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string path_of(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

test::CommandResult import(const std::string& db, const std::string& pcap, const std::vector<std::string>& extra = {},
                           const std::vector<std::string>& env = {"SSLKEYLOGFILE="}) {
  std::vector<std::string> args = {"--db", db, "import", pcap};
  args.insert(args.end(), extra.begin(), extra.end());
  return test::run_trafficdb(args, env);
}

// One curl run (one connection) and what it should leave in the store.
struct CurlRun {
  std::vector<std::string> args;  // after curl -sk
  std::string path;
  std::string version;  // HTTP/2 or HTTP/1.1
  std::string suite;    // IANA name expected in details.tls.cipher_suite
};

class TlsFixture {
 public:
  TlsFixture() {
    server.put_file("hello.json", R"({"hello":"world"})");
    server.put_file("text.txt", text);
    server.put_file("big.bin", big);
  }
  void curl(const std::vector<std::string>& args, const std::string& keys) {
    // --limit-rate: tcpdump keeps up (a burst at loopback speed can outrun it).
    std::vector<std::string> argv = {"curl", "-sk", "-o", "/dev/null", "--max-time", "30", "--limit-rate", "40M"};
    argv.insert(argv.end(), args.begin(), args.end());
    const test::CommandResult r = test::run_command(argv, {"SSLKEYLOGFILE=" + keys});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }

  test::NginxServer server;
  const std::string text = test::deterministic_bytes(200000, 3) + std::string(100000, 'a');  // compresses
  const std::string big = test::deterministic_bytes(3 << 20, 7);
};

}  // namespace

TEST_CASE("TLS capture: curl over TLS 1.3 and 1.2, every cipher family, HTTP/2 and HTTP/1.1, decrypted field by "
          "field against nginx's log",
          "[tls][http2][loopback]") {
  require_peers();
  TlsFixture f;
  test::TempDir dir;
  const std::string keys = dir.file("keys.log"), pcap = dir.file("tls.pcap");
  const std::vector<CurlRun> runs = {
      {{"--http2", "--tlsv1.3", "--tls13-ciphers", "TLS_AES_128_GCM_SHA256"}, "/hello.json", "HTTP/2",
       "TLS_AES_128_GCM_SHA256"},
      {{"--http2", "--tlsv1.3", "--tls13-ciphers", "TLS_AES_256_GCM_SHA384", "--compressed"}, "/text.txt", "HTTP/2",
       "TLS_AES_256_GCM_SHA384"},
      {{"--http1.1", "--tlsv1.3", "--tls13-ciphers", "TLS_CHACHA20_POLY1305_SHA256"}, "/big.bin", "HTTP/1.1",
       "TLS_CHACHA20_POLY1305_SHA256"},
      {{"--http2", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256"}, "/hello.json", "HTTP/2",
       "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
      {{"--http1.1", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES256-GCM-SHA384", "--compressed"}, "/text.txt",
       "HTTP/1.1", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
      {{"--http2", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-CHACHA20-POLY1305"}, "/big.bin", "HTTP/2",
       "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
      {{"--http1.1", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-SHA"}, "/hello.json", "HTTP/1.1",
       "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
      {{"--http2", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES256-SHA384"}, "/big.bin", "HTTP/2",
       "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
      {{"--http1.1", "--tls-max", "1.2", "--ciphers", "AES128-SHA256"}, "/text.txt", "HTTP/1.1",
       "TLS_RSA_WITH_AES_128_CBC_SHA256"},
  };
  {
    test::LoopbackCapture capture(pcap, f.server.tls_port());
    for (const CurlRun& run : runs) {
      std::vector<std::string> args = run.args;
      args.push_back(f.server.https_url(run.path));
      f.curl(args, keys);
    }
    // MAC-then-encrypt: OpenSSL's s_client without the encrypt-then-MAC extension.
    const test::CommandResult sclient = test::run_command(
        {"sh", "-c",
         "printf 'GET /hello.json HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' | openssl s_client "
         "-quiet -no_etm -tls1_2 -cipher ECDHE-RSA-AES256-SHA -keylogfile " + keys + " -connect 127.0.0.1:" +
             std::to_string(f.server.tls_port())});
    REQUIRE(sclient.out.find("HTTP/1.1 200 OK") != std::string::npos);
    capture.stop();
  }
  const std::string db = dir.file("tls.db");
  const test::CommandResult imported = import(db, pcap, {"--keylog", keys});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out.find("10 TLS connections: 10 decrypted, 0 without keys, 0 failed") != std::string::npos);

  const std::vector<Row> rows = rows_of(db);
  const std::vector<test::NginxLogLine> log = f.server.log();
  REQUIRE(rows.size() == runs.size() + 1);
  REQUIRE(log.size() == rows.size());
  const std::map<std::string, std::string> files = {
      {"/hello.json", R"({"hello":"world"})"}, {"/text.txt", f.text}, {"/big.bin", f.big}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const CurlRun expected = i < runs.size() ? runs[i]
                                             : CurlRun{{}, "/hello.json", "HTTP/1.1", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"};
    INFO("exchange " << i << ": " << r.url << " " << r.cipher_suite);
    CHECK(r.error.empty());
    CHECK(r.method == "GET");
    CHECK(r.scheme == "https");
    CHECK(path_of(r.url) == expected.path);
    CHECK(r.http_version == expected.version);
    CHECK(r.cipher_suite == expected.suite);
    CHECK(r.sni == (i < runs.size() ? "localhost" : ""));
    CHECK(r.status == 200);
    CHECK(r.resp_body == files.at(expected.path));
    CHECK(r.resp_body_size == static_cast<std::int64_t>(files.at(expected.path).size()));
    // nginx's view of the same request.
    CHECK(log[i].uri == expected.path);
    CHECK(log[i].status == 200);
    CHECK(log[i].protocol == (expected.version == "HTTP/2" ? "HTTP/2.0" : "HTTP/1.1"));
  }
}

TEST_CASE("HTTP/2 over TLS: streams at once on one connection, a 3 MB download and a 2 MB upload; the same "
          "packets reordered, duplicated or overlapping give the same rows",
          "[tls][http2][loopback]") {
  require_peers();
  TlsFixture f;
  test::TempDir dir;
  const std::string keys = dir.file("keys.log"), pcap = dir.file("h2.pcap");
  const std::string upload = test::deterministic_bytes(2 << 20, 11);
  test::write_file(dir.file("upload.bin"), upload);
  {
    test::LoopbackCapture capture(pcap, f.server.tls_port());
    f.curl({"--http2", "--parallel", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
            f.server.https_url("/big.bin"), f.server.https_url("/hello.json"), f.server.https_url("/text.txt")},
           keys);
    f.curl({"--http2", "-T", dir.file("upload.bin"), f.server.https_url("/upload/u.bin")}, keys);
    capture.stop();
  }
  const std::string db = dir.file("h2.db");
  REQUIRE(import(db, pcap, {"--keylog", keys}).exit_code == 0);
  const std::vector<Row> rows = rows_of(db);
  REQUIRE(rows.size() == 4);
  std::map<std::string, const Row*> by_path;
  for (const Row& r : rows) by_path[path_of(r.url)] = &r;
  REQUIRE(by_path.size() == 4);
  const Row& big = *by_path.at("/big.bin");
  const Row& hello = *by_path.at("/hello.json");
  const Row& text = *by_path.at("/text.txt");
  const Row& put = *by_path.at("/upload/u.bin");
  CHECK(big.resp_body == f.big);
  CHECK(hello.resp_body == R"({"hello":"world"})");
  CHECK(text.resp_body == f.text);
  // One connection, three streams.
  CHECK(big.client_addr == hello.client_addr);
  CHECK(text.client_addr == hello.client_addr);
  CHECK(std::set<std::int64_t>{big.stream, hello.stream, text.stream}.size() == 3);
  CHECK(put.method == "PUT");
  CHECK(put.status == 201);
  CHECK(put.req_body_size == static_cast<std::int64_t>(upload.size()));
  CHECK(put.req_body == upload);
  for (const Row& r : rows) {
    CHECK(r.http_version == "HTTP/2");
    CHECK(r.alpn == "h2");
    CHECK(r.error.empty());
  }
  CHECK(test::read_file(f.server.dir().path() + "/www/upload/u.bin") == upload);

  // The same packets, the ways real captures differ from clean ones.
  const test::PcapFile clean = test::read_pcap(pcap);
  const auto same_rows = [&](const test::PcapFile& rewritten, const std::string& name) {
    const std::string other = dir.file(name + ".pcap"), other_db = dir.file(name + ".db");
    test::write_pcap(other, rewritten);
    REQUIRE(import(other_db, other, {"--keylog", keys}).exit_code == 0);
    const std::vector<Row> again = rows_of(other_db);
    REQUIRE(again.size() == rows.size());
    std::map<std::string, const Row*> again_by_path;
    for (const Row& r : again) again_by_path[path_of(r.url)] = &r;
    for (const auto& [path, r] : by_path) {
      INFO(name << " " << path);
      REQUIRE(again_by_path.count(path));
      CHECK(again_by_path.at(path)->resp_body == r->resp_body);
      CHECK(again_by_path.at(path)->req_body == r->req_body);
      CHECK(again_by_path.at(path)->status == r->status);
      CHECK(again_by_path.at(path)->stream == r->stream);
      CHECK(again_by_path.at(path)->error.empty());
    }
  };
  same_rows(test::reorder_nearby(clean, 3, 5), "reordered");
  same_rows(test::duplicate_segments(clean, 3), "duplicated");
  same_rows(test::split_overlapping(clean, 4), "overlapping");
}

TEST_CASE("h2c with prior knowledge: HTTP/2 in clear on any port, GET and PUT", "[http2][loopback]") {
  require_peers();
  TlsFixture f;
  test::TempDir dir;
  const std::string pcap = dir.file("h2c.pcap");
  test::write_file(dir.file("up.txt"), "uploaded text\n");
  {
    test::LoopbackCapture capture(pcap, f.server.h2c_port());
    f.curl({"--http2-prior-knowledge", f.server.h2c_url("/hello.json")}, "");
    f.curl({"--http2-prior-knowledge", "-T", dir.file("up.txt"), f.server.h2c_url("/upload/up.txt")}, "");
    capture.stop();
  }
  const std::string db = dir.file("h2c.db");
  REQUIRE(import(db, pcap).exit_code == 0);
  const std::vector<Row> rows = rows_of(db);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].url == f.server.h2c_url("/hello.json"));
  CHECK(rows[0].http_version == "HTTP/2");
  CHECK(rows[0].resp_body == R"({"hello":"world"})");
  CHECK(rows[1].method == "PUT");
  CHECK(rows[1].status == 201);
  CHECK(rows[1].req_body == "uploaded text\n");
}

TEST_CASE("TLS 1.3 KeyUpdate mid-connection (openssl s_client's k): what follows decrypts with the next secret",
          "[tls][loopback]") {
  require_peers();
  TlsFixture f;
  test::TempDir dir;
  const std::string keys = dir.file("keys.log"), pcap = dir.file("keyupdate.pcap");
  {
    test::LoopbackCapture capture(pcap, f.server.tls_port());
    // A line "k" is s_client's command to send a KeyUpdate (not with -ign_eof or -quiet).
    const test::CommandResult r = test::run_command(
        {"sh", "-c",
         "(printf 'GET /hello.json HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n'; sleep 0.5; printf 'k\\n'; sleep 0.5; "
         "printf 'GET /text.txt HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n'; sleep 1) | "
         "openssl s_client -tls1_3 -keylogfile " + keys + " -connect 127.0.0.1:" + std::to_string(f.server.tls_port())});
    REQUIRE((r.out + r.err).find("KEYUPDATE") != std::string::npos);  // s_client says it on stderr
    capture.stop();
  }
  const std::string db = dir.file("keyupdate.db");
  const test::CommandResult imported = import(db, pcap, {"--keylog", keys});
  CHECK(imported.out.find("1 TLS connections: 1 decrypted, 0 without keys, 0 failed") != std::string::npos);
  const std::vector<Row> rows = rows_of(db);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].resp_body == R"({"hello":"world"})");
  CHECK(rows[1].url == "https://localhost/text.txt");
  CHECK(rows[1].resp_body == f.text);
  CHECK(rows[1].error.empty());
}

TEST_CASE("HTTP/2 server push from nginx to nghttp: the pushed response is an exchange of its own", "[http2][loopback]") {
  require_peers();
  if (test::run_command({"nghttp", "--version"}).exit_code != 0)
    return test::skip_test("nghttp is not installed (Debian's nghttp2-client)");
  TlsFixture f;
  f.server.put_file("pushing.json", R"({"page":1})");
  f.server.put_file("pushed.json", R"({"pushed":true})");
  test::TempDir dir;
  const std::string pcap = dir.file("push.pcap");
  {
    test::LoopbackCapture capture(pcap, f.server.h2c_port());
    const test::CommandResult r = test::run_command({"nghttp", "-n", "-s", f.server.h2c_url("/pushing.json")});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.out.find("/pushed.json") != std::string::npos);  // nghttp took the push
    capture.stop();
  }
  const std::string db = dir.file("push.db");
  REQUIRE(import(db, pcap).exit_code == 0);
  std::vector<Row> rows = rows_of(db);
  REQUIRE(rows.size() == 2);
  // Stored in the order the streams completed, which varies.
  if (rows[0].url != f.server.h2c_url("/pushing.json")) std::swap(rows[0], rows[1]);
  CHECK(rows[0].url == f.server.h2c_url("/pushing.json"));
  CHECK(rows[0].resp_body == R"({"page":1})");
  CHECK(rows[1].url == f.server.h2c_url("/pushed.json"));
  CHECK(rows[1].resp_body == R"({"pushed":true})");
  CHECK(rows[1].stream % 2 == 0);  // server-initiated
  CHECK(rows[1].error.empty());
}

TEST_CASE("TLS that cannot be decrypted is one row that says why: no keys, one connection's keys missing, a wrong "
          "key, a capture that starts after the handshake",
          "[tls][loopback]") {
  require_peers();
  TlsFixture f;
  test::TempDir dir;
  const std::string keys = dir.file("keys.log"), pcap = dir.file("three.pcap");
  {
    test::LoopbackCapture capture(pcap, f.server.tls_port());
    f.curl({"--http2", f.server.https_url("/hello.json")}, keys);
    f.curl({"--http1.1", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256",
            f.server.https_url("/text.txt")},
           keys);
    f.curl({"--http2", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-SHA", f.server.https_url("/big.bin")}, keys);
    capture.stop();
  }
  // Each curl wrote its lines together: cut the log into connections by client random.
  std::vector<std::string> lines;
  {
    std::istringstream in(test::read_file(keys));
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  std::vector<std::string> randoms;
  for (const std::string& l : lines) {
    const std::string random = l.substr(l.find(' ') + 1, 64);
    if (randoms.empty() || randoms.back() != random) randoms.push_back(random);
  }
  REQUIRE(randoms.size() == 3);

  SECTION("no keys at all: three rows, each a TLS connection said undecrypted") {
    const std::string db = dir.file("none.db");
    const test::CommandResult r = import(db, pcap);
    CHECK(r.exit_code == 0);  // nothing was rejected or cut: each connection is stored as what it is
    CHECK(r.out.find("3 TLS connections: 0 decrypted, 3 without keys, 0 failed") != std::string::npos);
    {
      SQLite::Database d(db, SQLite::OPEN_READONLY);
      CHECK(d.execAndGet("SELECT json_extract(integrity, '$.tls_without_keys') FROM sessions").getInt() == 3);
      CHECK(d.execAndGet("SELECT json_extract(integrity, '$.tls_not_decrypted_by_server.localhost') FROM sessions")
                .getInt() == 3);
    }
    const std::vector<Row> rows = rows_of(db);
    REQUIRE(rows.size() == 3);
    for (const Row& row : rows) {
      CHECK(row.tunnel);
      CHECK(row.scheme == "https");
      CHECK(row.url == "localhost:" + std::to_string(f.server.tls_port()));
      CHECK(row.error.find("TLS not decrypted: no keys for it in the key log") != std::string::npos);
      CHECK(row.resp_body.empty());
    }
  }
  SECTION("the second connection's keys missing: it alone is one undecrypted row") {
    std::string partial;
    for (const std::string& l : lines)
      if (l.find(randoms[1]) == std::string::npos) partial += l + "\n";
    test::write_file(dir.file("partial.log"), partial);
    const std::string db = dir.file("partial.db");
    const test::CommandResult r = import(db, pcap, {"--keylog", dir.file("partial.log")});
    CHECK(r.out.find("3 TLS connections: 2 decrypted, 1 without keys, 0 failed") != std::string::npos);
    {
      SQLite::Database d(db, SQLite::OPEN_READONLY);
      CHECK(d.execAndGet("SELECT json_extract(integrity, '$.tls_decrypted') FROM sessions").getInt() == 2);
      CHECK(d.execAndGet("SELECT json_extract(integrity, '$.tls_not_decrypted_by_server') FROM sessions")
                .getString() == R"({"localhost":1})");
    }
    const std::vector<Row> rows = rows_of(db);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].resp_body == R"({"hello":"world"})");
    CHECK(rows[1].tunnel);
    CHECK(rows[1].error.find(randoms[1]) != std::string::npos);
    CHECK(rows[2].resp_body == f.big);
  }
  SECTION("a wrong key: the connection is said to fail, the others decrypt") {
    std::string wrong;
    for (std::string l : lines) {
      if (l.find(randoms[2]) != std::string::npos) l.back() = l.back() == '0' ? '1' : '0';
      wrong += l + "\n";
    }
    test::write_file(dir.file("wrong.log"), wrong);
    const std::string db = dir.file("wrong.db");
    const test::CommandResult r = import(db, pcap, {"--keylog", dir.file("wrong.log")});
    CHECK(r.out.find("3 TLS connections: 2 decrypted, 0 without keys, 1 failed") != std::string::npos);
    const std::vector<Row> rows = rows_of(db);
    REQUIRE(rows.size() == 3);
    CHECK(rows[2].tunnel);
    CHECK(rows[2].error.find("does not decrypt") != std::string::npos);
  }
  SECTION("a capture that starts after the handshakes: rows that say so") {
    test::PcapFile file = test::read_pcap(pcap);
    test::PcapFile late;
    late.linktype = file.linktype;
    bool seen_application_data = false;
    for (const test::PcapPacket& p : file.packets) {
      const std::string payload = test::tcp_payload(p);
      if (!payload.empty() && payload[0] == 0x17) seen_application_data = true;
      if (seen_application_data) late.packets.push_back(p);
    }
    test::write_pcap(dir.file("late.pcap"), late);
    const std::string db = dir.file("late.db");
    import(db, dir.file("late.pcap"), {"--keylog", keys});
    const std::vector<Row> rows = rows_of(db);
    REQUIRE_FALSE(rows.empty());
    CHECK(rows.front().error.find("no TLS handshake") != std::string::npos);
  }
}

TEST_CASE("TLS key logs from SSLKEYLOGFILE and from a pcapng's Decryption Secrets Block", "[tls][loopback]") {
  require_peers();
  TlsFixture f;
  test::TempDir dir;
  const std::string keys = dir.file("keys.log"), pcap = dir.file("one.pcap");
  {
    test::LoopbackCapture capture(pcap, f.server.tls_port());
    f.curl({"--http2", f.server.https_url("/hello.json")}, keys);
    capture.stop();
  }
  const std::string from_env = dir.file("env.db");
  REQUIRE(import(from_env, pcap, {}, {"SSLKEYLOGFILE=" + keys}).exit_code == 0);
  REQUIRE(rows_of(from_env).size() == 1);
  CHECK(rows_of(from_env)[0].resp_body == R"({"hello":"world"})");

  if (test::run_command({"editcap", "-h"}).exit_code != 0) {
    WARN("editcap (wireshark-common) is not installed: the Decryption Secrets Block case is not run");
    return;
  }
  const std::string pcapng = dir.file("with-keys.pcapng");
  REQUIRE(test::run_command({"editcap", "--inject-secrets", "tls," + keys, pcap, pcapng}).exit_code == 0);
  const std::string embedded = dir.file("embedded.db");
  const test::CommandResult r = import(embedded, pcapng);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("1 TLS key log(s) embedded in the capture read") != std::string::npos);
  REQUIRE(rows_of(embedded).size() == 1);
  CHECK(rows_of(embedded)[0].resp_body == R"({"hello":"world"})");
}

TEST_CASE("record pcap --keylog: keys written while it records decrypt the connections they belong to",
          "[tls][live][loopback]") {
  require_peers();
  TlsFixture f;
  test::TempDir dir;
  const std::string keys = dir.file("live-keys.log"), db = dir.file("live.db");
  test::RunningProcess recorder({TRAFFICDB_BINARY, "--db", db, "record", "pcap", "-i", "lo", "-f",
                                 "tcp port " + std::to_string(f.server.tls_port()), "--keylog", keys},
                                {"SSLKEYLOGFILE="}, dir.file("rec.out"), dir.file("rec.err"));
  REQUIRE(recorder.wait_for_output("capturing on lo", 10s, true));
  f.curl({"--http2", f.server.https_url("/hello.json")}, keys);
  f.curl({"--http1.1", "--tls-max", "1.2", f.server.https_url("/text.txt")}, keys);
  std::this_thread::sleep_for(1500ms);
  CHECK(recorder.stop(SIGINT) == 0);
  const std::vector<Row> rows = rows_of(db);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].http_version == "HTTP/2");
  CHECK(rows[0].resp_body == R"({"hello":"world"})");
  CHECK(rows[1].http_version == "HTTP/1.1");
  CHECK(rows[1].resp_body == f.text);
}
