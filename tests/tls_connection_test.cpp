// TlsConnection on its own, fed real TLS connections (tests/data/tls_streams:
// curl against nginx, with their keys) side by side as the reassembler would
// deliver them: decrypted into HTTP/1.1 and HTTP/2 in every split of the
// bytes; keys that arrive after the records, or after the connection ended;
// no keys; a wrong key; a damaged or lost record; and hostile bytes: garbage
// after the handshake, absurd record lengths, a malformed ClientHello.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "recorder/connection_router.h"
#include "tests/test_support.h"
#include "tests/recording_output.h"

using namespace trafficdb;
using trafficdb::test::RecordingOutput;

namespace {

struct Piece {
  bool key_log = false;
  Side side = Side::originator;
  std::string bytes;
};

// A stream file: its key log text, and the pieces each side sent in order.
struct Recorded {
  std::string keys;
  std::vector<Piece> pieces;
};

Recorded load(const std::string& name) {
  const std::string b = test::read_file(std::string(TRAFFICDB_SOURCE_DIR) + "/tests/data/tls_streams/" + name);
  Recorded r;
  for (std::size_t i = 0; i + 2 <= b.size();) {
    const auto control = static_cast<unsigned char>(b[i]);
    const std::size_t length = static_cast<unsigned char>(b[i + 1]);
    std::string bytes = b.substr(i + 2, length);
    i += 2 + length;
    if (control & 8) {
      r.keys += bytes;
    } else if (!r.pieces.empty() && !r.pieces.back().key_log &&
               r.pieces.back().side == ((control & 1) ? Side::responder : Side::originator)) {
      r.pieces.back().bytes += bytes;  // the file cut the stream in 255-byte pieces: join them
    } else {
      r.pieces.push_back({false, (control & 1) ? Side::responder : Side::originator, bytes});
    }
  }
  return r;
}

struct Harness {
  explicit Harness(bool wait_for_keys = false, std::size_t max_held_total = 64u << 20) {
    http.max_body_bytes = 1u << 20;
    http2.max_body_bytes = 1u << 20;
    tls_options.wait_for_keys = wait_for_keys;
    tls_options.max_held_total = max_held_total;
    protocols = {&http, &http2, nullptr, &budget, &out};
    tls = std::make_unique<TlsContext>(keys, tls_options, tls_plaintext_factory(protocols), out);
    protocols.tls = tls.get();
    ConnectionInfo info;
    const unsigned char client_ip[4] = {127, 0, 0, 1};
    info.originator = Endpoint{IpAddress::v4(client_ip), 40000};
    info.responder = Endpoint{IpAddress::v4(client_ip), 8443};
    info.saw_syn = true;
    info.opened_at = 1;
    connection = tls->open(info);
  }
  // Feeds the pieces, each cut into `chunk`-byte deliveries; 0: whole.
  void feed(const std::vector<Piece>& pieces, std::size_t chunk = 0) {
    for (const Piece& p : pieces) {
      const std::size_t step = chunk ? chunk : p.bytes.size();
      for (std::size_t i = 0; i < p.bytes.size(); i += step)
        connection->on_data(p.side, std::string_view(p.bytes).substr(i, step), ++at);
    }
  }
  void close() {
    connection->on_end(Side::originator, StreamEnd::fin, ++at);
    connection->on_end(Side::responder, StreamEnd::fin, ++at);
    connection->on_close(++at);
    tls->finish(++at);
  }

  HttpCaptureOptions http;
  Http2Options http2;
  BodyBudget budget{96u << 20};
  KeyLog keys;
  TlsOptions tls_options;
  RecordingOutput out;
  ConnectionProtocols protocols;
  std::unique_ptr<TlsContext> tls;
  std::unique_ptr<StreamHandler> connection;
  Micros at = 10;
};

std::string detail(const Exchange& e, const std::string& key) {
  const std::size_t at = e.details.find("\"" + key + "\":\"");
  if (at == std::string::npos) return "";
  const std::size_t from = at + key.size() + 4;
  return e.details.substr(from, e.details.find('"', from) - from);
}

}  // namespace

TEST_CASE("TLS: real connections decrypt into HTTP/1.1 and HTTP/2, however their bytes are split", "[tls]") {
  struct Case {
    const char* file;
    const char* method;
    const char* path;
    const char* version;
    const char* suite;
    const char* body;
  };
  const Case cases[] = {
      {"tls13-aes256gcm-h2-get.bin", "GET", "/hello.json", "HTTP/2", "TLS_AES_256_GCM_SHA384", "{\"hello\":\"world\"}\n"},
      {"tls13-aes256gcm-http11-get.bin", "GET", "/hello.json", "HTTP/1.1", "TLS_AES_256_GCM_SHA384",
       "{\"hello\":\"world\"}\n"},
      {"tls12-aes128cbc-sha1-http11-post.bin", "POST", "/echo", "HTTP/1.1", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
       "echo POST\n"},
      {"tls12-chacha20-h2-get.bin", "GET", "/echo", "HTTP/2", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
       "echo GET\n"},
  };
  for (const Case& c : cases) {
    const Recorded r = load(c.file);
    for (std::size_t chunk : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
      INFO(c.file << " in pieces of " << chunk);
      Harness h;
      h.keys.add_text(r.keys);
      h.feed(r.pieces, chunk);
      h.close();
      REQUIRE(h.out.exchanges.size() == 1);
      const Exchange& e = h.out.exchanges[0];
      CHECK(e.error.empty());
      CHECK(e.request.method == c.method);
      CHECK(e.request.url == std::string("https://localhost:8443") + c.path);
      CHECK(e.request.http_version == c.version);
      CHECK(detail(e, "cipher_suite") == c.suite);
      CHECK(detail(e, "sni") == "localhost");
      REQUIRE(e.response);
      CHECK(e.response->status == 200);
      CHECK(e.response->body.data == c.body);
      CHECK(h.tls->counts().decrypted == 1);
    }
  }
}

TEST_CASE("TLS: keys that come after the records, or after the connection ended, still decrypt it", "[tls]") {
  const Recorded r = load("tls13-aes256gcm-h2-get.bin");
  {
    Harness h(/*wait_for_keys=*/true);
    h.feed(r.pieces);
    CHECK(h.out.exchanges.empty());
    h.keys.add_text(r.keys);
    h.tls->keys_arrived(h.at);
    h.close();
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].response->body.data == "{\"hello\":\"world\"}\n");
  }
  {
    Harness h(/*wait_for_keys=*/true);
    h.feed(r.pieces);
    h.connection->on_close(++h.at);
    h.connection.reset();  // the reassembler forgets the connection; the context keeps it
    CHECK(h.out.exchanges.empty());
    h.keys.add_text(r.keys);
    h.tls->keys_arrived(h.at);
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].request.url == "https://localhost:8443/hello.json");
  }
  {
    Harness h(/*wait_for_keys=*/true);
    h.feed(r.pieces);
    h.connection->on_close(++h.at);
    h.tls->expire(h.at + 31'000'000);  // waited longer than max_hold
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].tunnel);
    CHECK(h.out.exchanges[0].error.find("no keys for it") != std::string::npos);
  }
}

TEST_CASE("TLS: records waiting for keys are bounded over all connections; past the bound the connection is said "
          "undecrypted",
          "[tls][hostile]") {
  const Recorded r = load("tls13-aes256gcm-h2-get.bin");
  Harness h(/*wait_for_keys=*/true, /*max_held_total=*/100);
  h.feed(r.pieces);
  h.keys.add_text(r.keys);
  h.tls->keys_arrived(h.at);  // too late: the records were not kept
  h.close();
  REQUIRE(h.out.exchanges.size() == 1);
  CHECK(h.out.exchanges[0].tunnel);
  CHECK(h.out.exchanges[0].error.find("waited for the keys longer, or in greater number, than is kept") !=
        std::string::npos);
}

TEST_CASE("TLS: without keys, with a wrong key, with a damaged or lost record: said, never dropped", "[tls]") {
  const Recorded r = load("tls12-chacha20-h2-get.bin");
  SECTION("no keys: one row for the connection") {
    Harness h;
    h.feed(r.pieces);
    h.close();
    REQUIRE(h.out.exchanges.size() == 1);
    const Exchange& e = h.out.exchanges[0];
    CHECK(e.tunnel);
    CHECK(e.request.scheme == "https");
    CHECK(e.request.host == "localhost");
    CHECK(e.request.url == "localhost:8443");
    CHECK(e.error.rfind("TLS not decrypted: no keys for it in the key log (client random ", 0) == 0);
    CHECK(h.tls->counts().without_keys == 1);
  }
  SECTION("a wrong key: the row says its records do not decrypt") {
    std::string keys = r.keys;
    keys[keys.size() - 2] = keys[keys.size() - 2] == '0' ? '1' : '0';
    Harness h;
    h.keys.add_text(keys);
    h.feed(r.pieces);
    h.close();
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].error.find("does not decrypt") != std::string::npos);
    CHECK(h.tls->counts().failed == 1);
  }
  SECTION("a damaged record in the server's last bytes: what came before is kept, the rest is said") {
    std::vector<Piece> pieces = r.pieces;
    auto last = std::find_if(pieces.rbegin(), pieces.rend(), [](const Piece& p) { return p.side == Side::responder; });
    REQUIRE(last != pieces.rend());
    last->bytes[last->bytes.size() - 20] ^= 0x5a;
    Harness h;
    h.keys.add_text(r.keys);
    h.feed(pieces);
    h.close();
    CHECK(h.tls->counts().failed == 1);
    REQUIRE_FALSE(h.out.problems.empty());
    CHECK(h.out.problems.back().find("does not decrypt") != std::string::npos);
  }
  SECTION("a record lost to a gap: decryption of that side stops there, said") {
    Harness h;
    h.keys.add_text(r.keys);
    const std::vector<Piece> pieces = r.pieces;
    h.feed({pieces.begin(), pieces.begin() + 3});
    h.connection->on_gap(Side::responder, 100, ++h.at);
    h.feed({pieces.begin() + 3, pieces.end()});
    h.close();
    CHECK(h.tls->counts().failed == 1);
    REQUIRE_FALSE(h.out.exchanges.empty());
    CHECK((h.out.exchanges[0].error.find("missing from the capture") != std::string::npos ||
           h.out.exchanges[0].error.find("TLS not decrypted") != std::string::npos));
  }
}

TEST_CASE("TLS hostile: garbage after the handshake, absurd record lengths, a malformed ClientHello", "[tls][hostile]") {
  const Recorded r = load("tls13-aes256gcm-http11-get.bin");
  SECTION("garbage where records should be: stops there, says after how many bytes") {
    Harness h;
    h.keys.add_text(r.keys);
    std::vector<Piece> pieces(r.pieces.begin(), r.pieces.begin() + 2);
    pieces.push_back({false, Side::originator, std::string(300, '\xee')});
    h.feed(pieces);
    h.close();
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].error.find("stop being TLS records after") != std::string::npos);
  }
  SECTION("a record header claiming 60000 bytes is refused, not awaited") {
    Harness h;
    h.feed({{false, Side::originator, std::string("\x16\x03\x01\xea\x60", 5) + std::string(100, 'x')}});
    h.close();
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].error.find("stop being TLS records after 0 bytes") != std::string::npos);
  }
  SECTION("a ClientHello cut short inside its record") {
    Harness h;
    const std::string hello = std::string("\x01\x00\x00\x08\x03\x03", 6) + "abc";
    h.feed({{false, Side::originator, std::string("\x16\x03\x01\x00", 4) + static_cast<char>(hello.size()) + hello}});
    h.close();
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].error.find("TLS not decrypted") != std::string::npos);
  }
}
