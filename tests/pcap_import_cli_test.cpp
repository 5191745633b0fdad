// `trafficdb import` on captures: what reaches the database, and what it says
// (and exits with) for files libpcap cannot read to the end.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/tcp_conversation.h"
#include "tests/test_support.h"

using namespace trafficdb;
using test::run_trafficdb;

namespace {

std::vector<test::Frame> two_exchanges() {
  test::TcpConversation c;
  c.handshake();
  c.client_sends("GET /one HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
  c.client_sends("GET /two HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
  c.client_fin();
  c.server_fin();
  return c.frames;
}

void put32le(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::string pcapng_block(std::uint32_t type, const std::string& body) {
  std::string b;
  const std::uint32_t length = static_cast<std::uint32_t>(12 + body.size());
  put32le(b, type);
  put32le(b, length);
  b += body;
  put32le(b, length);
  return b;
}

std::string interface_block(std::uint16_t link_type) {
  std::string body;
  body.push_back(static_cast<char>(link_type & 0xFF));
  body.push_back(static_cast<char>(link_type >> 8));
  body += std::string(2, '\0');
  put32le(body, 262144);
  return pcapng_block(1, body);
}

std::string packet_block(std::uint32_t interface, const test::Frame& f) {
  std::string body;
  put32le(body, interface);
  const auto ts = static_cast<std::uint64_t>(f.at);
  put32le(body, static_cast<std::uint32_t>(ts >> 32));
  put32le(body, static_cast<std::uint32_t>(ts));
  put32le(body, static_cast<std::uint32_t>(f.bytes.size()));
  put32le(body, static_cast<std::uint32_t>(f.wire_length));
  body += f.bytes;
  body += std::string((4 - f.bytes.size() % 4) % 4, '\0');
  return pcapng_block(6, body);
}

std::string section_header() {
  std::string body;
  put32le(body, 0x1A2B3C4D);
  body += std::string("\x01\x00\x00\x00", 4);
  body += std::string(8, '\xff');
  return pcapng_block(0x0A0D0D0A, body);
}

std::string sql(const std::string& db, const std::string& query) {
  return run_trafficdb({"--db", db, "sql", "--json", query}).out;
}

}  // namespace

TEST_CASE("import: a pcap's exchanges are stored in a 'pcap' session", "[pcap][cli]") {
  test::TempDir dir;
  test::write_pcap(dir.file("two.pcap"), two_exchanges());
  const auto r = run_trafficdb({"--db", dir.file("t.db"), "import", dir.file("two.pcap")});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("2 exchanges stored") != std::string::npos);
  CHECK(sql(dir.file("t.db"), "SELECT source, status FROM sessions").find("\"pcap\"") != std::string::npos);
  CHECK(sql(dir.file("t.db"), "SELECT path FROM exchanges ORDER BY id").find("/two") != std::string::npos);
}

TEST_CASE("import: a capture cut short keeps what came before, says where, exits 3", "[pcap][cli]") {
  test::TempDir dir;
  test::write_pcap(dir.file("full.pcap"), two_exchanges());
  const std::string bytes = test::read_file(dir.file("full.pcap"));
  test::write_file(dir.file("cut.pcap"), bytes.substr(0, bytes.size() - 30));
  const auto r = run_trafficdb({"--db", dir.file("t.db"), "import", dir.file("cut.pcap")});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("reading stopped after packet") != std::string::npos);
  CHECK(r.err.find("truncated") != std::string::npos);
  CHECK(sql(dir.file("t.db"), "SELECT count(*) AS n FROM exchanges").find("\"n\": 2") != std::string::npos);
}

TEST_CASE("import: a pcapng whose interfaces have different link types stops there, with a clear message",
          "[pcap][cli]") {
  test::TempDir dir;
  const auto frames = two_exchanges();
  std::string file = section_header() + interface_block(1);
  for (const auto& f : frames) file += packet_block(0, f);
  file += interface_block(101);  // raw IP: libpcap cannot mix it with Ethernet
  file += packet_block(1, test::Frame{frames[3].bytes.substr(14), frames[3].wire_length - 14, frames[3].at});
  test::write_file(dir.file("mixed.pcapng"), file);
  const auto r = run_trafficdb({"--db", dir.file("t.db"), "import", dir.file("mixed.pcapng")});
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("reading stopped after packet " + std::to_string(frames.size())) != std::string::npos);
  CHECK(sql(dir.file("t.db"), "SELECT count(*) AS n FROM exchanges").find("\"n\": 2") != std::string::npos);
}

TEST_CASE("import: unreadable captures and unsupported link types leave nothing behind, exit 2", "[pcap][cli]") {
  test::TempDir dir;
  test::write_file(dir.file("bad.pcap"), std::string("\xd4\xc3\xb2\xa1\x09\x00\x09\x00", 8) + std::string(40, 'x'));
  auto r = run_trafficdb({"--db", dir.file("t.db"), "import", dir.file("bad.pcap")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("cannot read as a capture file") != std::string::npos);

  test::write_pcap(dir.file("wifi.pcap"), {test::Frame{"abc", 3, 1}}, 105);
  r = run_trafficdb({"--db", dir.file("t.db"), "import", dir.file("wifi.pcap")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("link type 105") != std::string::npos);
  CHECK(r.err.find("not supported") != std::string::npos);
  CHECK(sql(dir.file("t.db"), "SELECT count(*) AS n FROM sessions").find("\"n\": 0") != std::string::npos);
}

TEST_CASE("import: the session keeps what the capture saw and missed, zeros included", "[pcap][cli][integrity]") {
  test::TempDir dir;
  std::vector<test::Frame> frames = two_exchanges();
  test::TcpConversation unanswered(40001, 80);
  unanswered.handshake();
  unanswered.client_sends("GET /never HTTP/1.1\r\nHost: h\r\n\r\n");
  unanswered.client_fin();
  unanswered.server_fin();
  test::TcpConversation not_http(40002, 6379);
  not_http.handshake();
  not_http.client_sends(std::string("\x00\x01\x02\x03 binary, not a request line\r\n\r\n", 36));
  not_http.server_sends("+OK\r\n");
  not_http.client_fin();
  not_http.server_fin();
  for (auto* c : {&unanswered, &not_http}) frames.insert(frames.end(), c->frames.begin(), c->frames.end());
  test::write_pcap(dir.file("mixed.pcap"), frames);
  const std::string db = dir.file("t.db");
  const auto r = run_trafficdb({"--db", db, "import", dir.file("mixed.pcap")});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);

  const nlohmann::json sessions = nlohmann::json::parse(run_trafficdb({"--db", db, "sessions", "--json"}).out);
  REQUIRE(sessions.size() == 1);
  const nlohmann::json& integrity = sessions[0]["integrity"];
  INFO(integrity.dump());
  CHECK(integrity["source_counts"] == true);
  CHECK(integrity["packets"] == frames.size());
  CHECK(integrity["tcp_connections"] == 3);
  CHECK(integrity["tcp_gap_bytes"] == 0);
  CHECK(integrity["tls_connections"] == 0);
  CHECK(integrity["tls_without_keys"] == 0);
  CHECK(integrity["connections_skipped"] == 1);
  CHECK(integrity["connections_skipped_by_reason"].size() == 1);
  CHECK(integrity["exchanges_without_response"] == 1);
  CHECK(integrity["bodies_cut"] == 0);

  const auto detail = run_trafficdb({"--db", db, "sessions", "--detail"});
  CHECK(detail.exit_code == 0);
  CHECK(detail.out.find("exchanges_without_response 1") != std::string::npos);
  CHECK(detail.out.find("tcp_gap_bytes 0") != std::string::npos);
  CHECK(detail.out.find("connections_skipped_by_reason:") != std::string::npos);
}

TEST_CASE("import: a body cut at --max-body is counted in the session's integrity", "[pcap][cli][integrity]") {
  test::TempDir dir;
  test::TcpConversation c;
  c.handshake();
  c.client_sends("GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
  c.server_sends("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'));
  c.client_fin();
  c.server_fin();
  test::write_pcap(dir.file("big.pcap"), c.frames);
  const std::string db = dir.file("t.db");
  run_trafficdb({"--db", db, "import", "--max-body", "1024", dir.file("big.pcap")});
  const nlohmann::json sessions = nlohmann::json::parse(run_trafficdb({"--db", db, "sessions", "--json"}).out);
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["integrity"]["bodies_cut"] == 1);
  CHECK(sessions[0]["integrity"]["exchanges_without_response"] == 0);
}
