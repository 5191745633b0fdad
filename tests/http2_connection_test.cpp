// Http2Connection on its own, fed frames built here (header blocks encoded
// with libnghttp2's HPACK encoder) as the reassembler would deliver them:
// streams interleaved and completing in their own order, bodies with
// padding, CONTINUATION, trailers and gRPC status, RST_STREAM, server push,
// and the same bytes split at every offset. Then hostile input: HPACK bombs,
// CONTINUATION floods, frames past the allowed size, header blocks whose
// HPACK state the capture never saw, and more streams than allowed.
#include <nghttp2/nghttp2.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "recorder/http2/http2_connection.h"
#include "tests/recording_output.h"

using namespace trafficdb;
using trafficdb::test::RecordingOutput;

namespace {

Endpoint endpoint(std::uint8_t last_octet, std::uint16_t port) {
  const unsigned char ip[4] = {10, 0, 0, last_octet};
  return Endpoint{IpAddress::v4(ip), port};
}

// An HPACK encoder for one direction (its dynamic table persists across blocks).
class Encoder {
 public:
  Encoder() { nghttp2_hd_deflate_new(&deflater_, 4096); }
  ~Encoder() { nghttp2_hd_deflate_del(deflater_); }
  std::string block(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::vector<nghttp2_nv> nv;
    for (const auto& [n, v] : fields)
      nv.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(n.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), n.size(), v.size(),
                    NGHTTP2_NV_FLAG_NONE});
    std::string out(nghttp2_hd_deflate_bound(deflater_, nv.data(), nv.size()), '\0');
    const auto n = nghttp2_hd_deflate_hd(deflater_, reinterpret_cast<uint8_t*>(out.data()), out.size(), nv.data(),
                                         nv.size());
    REQUIRE(n >= 0);
    out.resize(static_cast<std::size_t>(n));
    return out;
  }

 private:
  nghttp2_hd_deflater* deflater_ = nullptr;
};

std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, const std::string& payload) {
  std::string f;
  f += static_cast<char>(payload.size() >> 16);
  f += static_cast<char>(payload.size() >> 8);
  f += static_cast<char>(payload.size());
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  for (int shift = 24; shift >= 0; shift -= 8) f += static_cast<char>(stream >> shift);
  return f + payload;
}

const std::string kPreface(kHttp2Preface);
const std::string kSettings = frame(h2_frame::settings, 0, 0, "");

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields get(const std::string& path) {
  return {{":method", "GET"}, {":scheme", "http"}, {":authority", "h"}, {":path", path}};
}
Fields status(const std::string& code) { return {{":status", code}}; }

struct Harness {
  Harness() : budget(96u << 20), connection(info, options, budget, out, nullptr) {}
  explicit Harness(Http2Options o) : options(o), budget(96u << 20), connection(info, options, budget, out, nullptr) {}
  void client(const std::string& bytes, Micros at = 10) { connection.on_data(Side::originator, bytes, at); }
  void server(const std::string& bytes, Micros at = 20) { connection.on_data(Side::responder, bytes, at); }
  void close(Micros at = 100) { connection.on_close(at); }

  ConnectionInfo info{endpoint(1, 40000), endpoint(2, 80), true, 1};
  Http2Options options;
  BodyBudget budget;
  RecordingOutput out;
  Http2Connection connection;
  Encoder to_server, to_client;
};

std::string body_of(const Exchange& e) { return e.response ? e.response->body.data : std::string(); }

}  // namespace

TEST_CASE("HTTP/2: interleaved streams complete in their own order, each one exchange", "[http2]") {
  Harness h;
  // (Each block is encoded in its own statement: the encoder's table follows the order.)
  const std::string slow_block = h.to_server.block(get("/slow"));
  h.client(kPreface + kSettings + frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1, slow_block));
  const std::string fast = h.to_server.block(get("/fast"));
  h.client(frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 3, fast), 11);
  const std::string ok = h.to_client.block(status("200"));
  h.server(kSettings + frame(h2_frame::headers, h2_flag::end_headers, 3, ok), 20);
  h.server(frame(h2_frame::data, h2_flag::end_stream, 3, "fast body"), 21);
  REQUIRE(h.out.exchanges.size() == 1);
  CHECK(h.out.exchanges[0].request.url == "http://h/fast");
  const std::string not_found = h.to_client.block(status("404"));
  h.server(frame(h2_frame::headers, h2_flag::end_headers, 1, not_found) + frame(h2_frame::data, 0, 1, "slow ") +
               frame(h2_frame::data, h2_flag::end_stream, 1, "body"),
           30);
  REQUIRE(h.out.exchanges.size() == 2);
  const Exchange& slow = h.out.exchanges[1];
  CHECK(slow.request.url == "http://h/slow");
  CHECK(slow.request.http_version == "HTTP/2");
  CHECK(slow.response->status == 404);
  CHECK(body_of(slow) == "slow body");
  CHECK(slow.timings.started == 10);
  CHECK(slow.timings.response_started == 30);
  CHECK(slow.error.empty());
  CHECK(slow.request.headers.front().name == ":method");
  CHECK(slow.details.find("\"stream\":1") != std::string::npos);
  h.close();
  CHECK(h.out.exchanges.size() == 2);
}

TEST_CASE("HTTP/2: padding, CONTINUATION, priority, trailers and a gRPC error status", "[http2]") {
  Harness h;
  const std::string block = h.to_server.block(
      {{":method", "POST"}, {":scheme", "http"}, {":authority", "h"}, {":path", "/svc/Call"}, {"te", "trailers"}});
  const std::string padded_headers = std::string(1, '\x03') + std::string(5, '\0') + block.substr(0, 3) + "pad";
  h.client(kPreface + frame(h2_frame::headers, h2_flag::padded | h2_flag::priority, 1, padded_headers) +
           frame(h2_frame::continuation, h2_flag::end_headers, 1, block.substr(3)) +
           frame(h2_frame::data, h2_flag::padded | h2_flag::end_stream, 1, std::string(1, '\x02') + "req" + "xx"));
  const std::string head = h.to_client.block({{":status", "200"}, {"content-type", "application/grpc"}});
  const std::string trailers = h.to_client.block({{"grpc-status", "7"}, {"grpc-message", "denied"}});
  h.server(frame(h2_frame::headers, h2_flag::end_headers, 1, head) + frame(h2_frame::data, 0, 1, "resp") +
           frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1, trailers));
  REQUIRE(h.out.exchanges.size() == 1);
  const Exchange& e = h.out.exchanges[0];
  CHECK(e.request.method == "POST");
  CHECK(e.request.body.data == "req");
  CHECK(body_of(e) == "resp");
  CHECK(e.error == "gRPC status 7 (PERMISSION_DENIED): denied");
  CHECK(e.details.find("\"response_trailers\":[[\"grpc-status\",\"7\"],[\"grpc-message\",\"denied\"]]") !=
        std::string::npos);
}

TEST_CASE("HTTP/2: a reset stream, a server push, and streams left open at the end", "[http2]") {
  Harness h;
  const std::string page = h.to_server.block(get("/page"));
  const std::string gone = h.to_server.block(get("/gone"));
  const std::string open = h.to_server.block(get("/open"));
  h.client(kPreface + frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1, page) +
           frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 3, gone) +
           frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 5, open));
  h.client(frame(h2_frame::rst_stream, 0, 3, std::string("\0\0\0\x08", 4)), 12);
  REQUIRE(h.out.exchanges.size() == 1);
  CHECK(h.out.exchanges[0].error == "stream reset by the client (CANCEL)");
  const std::string promise = h.to_client.block(get("/style.css"));
  const std::string page_head = h.to_client.block(status("200"));
  const std::string css_head = h.to_client.block(status("200"));
  h.server(frame(h2_frame::push_promise, h2_flag::end_headers, 1, std::string("\0\0\0\x02", 4) + promise) +
           frame(h2_frame::headers, h2_flag::end_headers, 1, page_head) +
           frame(h2_frame::data, h2_flag::end_stream, 1, "<html>") +
           frame(h2_frame::headers, h2_flag::end_headers, 2, css_head) +
           frame(h2_frame::data, h2_flag::end_stream, 2, "css"));
  REQUIRE(h.out.exchanges.size() == 3);
  CHECK(h.out.exchanges[1].request.url == "http://h/page");
  CHECK(h.out.exchanges[2].request.url == "http://h/style.css");
  CHECK(body_of(h.out.exchanges[2]) == "css");
  CHECK(h.out.exchanges[2].details.find("\"pushed\":true") != std::string::npos);
  h.close();
  REQUIRE(h.out.exchanges.size() == 4);
  CHECK(h.out.exchanges[3].request.url == "http://h/open");
  CHECK(h.out.exchanges[3].error.find("the connection ended before the stream did") != std::string::npos);
}

TEST_CASE("HTTP/2: the same bytes split at every offset give the same exchanges", "[http2]") {
  Encoder req, res;
  const std::string a = req.block(get("/a"));
  const std::string b = req.block(get("/b"));
  const std::string client = kPreface + kSettings +
                             frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1, a) +
                             frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 3, b);
  const std::string ok = res.block(status("200"));
  const std::string created = res.block(status("201"));
  const std::string server = kSettings + frame(h2_frame::headers, h2_flag::end_headers, 1, ok) +
                             frame(h2_frame::data, h2_flag::end_stream, 1, "first") +
                             frame(h2_frame::headers, h2_flag::end_headers, 3, created) +
                             frame(h2_frame::data, h2_flag::end_stream, 3, "second");
  for (std::size_t cut = 1; cut < client.size(); cut += 3) {
    Harness h;
    h.client(client.substr(0, cut));
    h.client(client.substr(cut));
    for (std::size_t i = 0; i < server.size(); i += 7) h.server(server.substr(i, 7));
    h.close();
    INFO("cut at " << cut);
    REQUIRE(h.out.exchanges.size() == 2);
    CHECK(body_of(h.out.exchanges[0]) == "first");
    CHECK(body_of(h.out.exchanges[1]) == "second");
    CHECK(h.out.exchanges[1].response->status == 201);
  }
}

TEST_CASE("HTTP/2 hostile: an HPACK bomb is decoded within the header-list bound and said cut", "[http2][hostile]") {
  Harness h;
  // Written by hand (an encoder would not do this): the first block enters
  // one 4000-byte field in the table (dynamic index 62); the second refers
  // to it 1000 times, 1 byte each: 4 MB of headers from 1 KB.
  const std::string pseudo = "\x82\x86\x84\x01\x01h";  // GET, http, /, :authority h
  const std::string first = pseudo + "\x40\x05x-big\x7f\xa1\x1e" + std::string(4000, 'b');
  const std::string bomb = pseudo + std::string(1000, '\xbe');
  h.client(kPreface + frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1, first));
  h.client(frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 3, bomb), 11);
  h.close();
  REQUIRE(h.out.exchanges.size() == 2);
  const Exchange& e = h.out.exchanges[1];
  std::size_t kept = 0;
  for (const Header& field : e.request.headers) kept += field.name.size() + field.value.size() + 32;
  CHECK(kept <= HpackDecoder::Limits{}.max_list_bytes);
  CHECK(e.error.find("header list longer than the limit") != std::string::npos);
}

TEST_CASE("HTTP/2 hostile: a CONTINUATION flood and a frame past the allowed size stop the direction, said",
          "[http2][hostile]") {
  Http2Options options;
  options.max_header_block_bytes = 64u << 10;
  {
    Harness h(options);
    std::string flood = kPreface + frame(h2_frame::headers, 0, 1, h.to_server.block(get("/f")));
    for (int i = 0; i < 100; ++i) flood += frame(h2_frame::continuation, 0, 1, std::string(1000, 'c'));
    h.client(flood);
    h.server(frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1, h.to_client.block(status("200"))));
    h.close();
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].error.find("header block of more than 65536 bytes") != std::string::npos);
  }
  {
    Harness h;
    h.client(kPreface + frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1,
                              h.to_server.block(get("/big"))));
    h.server(frame(h2_frame::headers, h2_flag::end_headers, 1, h.to_client.block(status("200"))) +
             frame(h2_frame::data, 0, 1, std::string(20000, 'd')));  // past the default 16384
    h.close();
    REQUIRE(h.out.exchanges.size() == 1);
    CHECK(h.out.exchanges[0].error.find("a frame of 20000 bytes, past the largest allowed (16384)") !=
          std::string::npos);
  }
}

TEST_CASE("HTTP/2 hostile: header blocks the capture holds no HPACK state for are marked, not guessed",
          "[http2][hostile]") {
  Encoder earlier;  // the blocks before the capture began
  (void)earlier.block({{"x-session", "secret-token-value"}});
  // The capture holds this block, which refers to a table entry made by a
  // block it does not hold.
  std::string block = earlier.block({{"x-session", "secret-token-value"}, {":path", "/p"}});
  Harness late;
  late.client(kPreface + frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1, block));
  late.server(frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, 1,
                    late.to_client.block(status("204"))));
  REQUIRE(late.out.exchanges.size() == 1);
  const Exchange& e = late.out.exchanges[0];
  CHECK(e.request.headers.empty());
  CHECK(e.error.find("header block not decodable") != std::string::npos);
  CHECK(e.response->status == 204);
}

TEST_CASE("HTTP/2 hostile: more streams than allowed at once hands the oldest on early, said", "[http2][hostile]") {
  Http2Options options;
  options.max_open_streams = 10;
  Harness h(options);
  std::string client = kPreface;
  for (std::uint32_t id = 1; id <= 41; id += 2)
    client += frame(h2_frame::headers, h2_flag::end_headers | h2_flag::end_stream, id,
                    h.to_server.block(get("/s" + std::to_string(id))));
  h.client(client);
  CHECK(h.out.exchanges.size() == 11);
  CHECK(h.out.exchanges[0].request.url == "http://h/s1");
  CHECK(h.out.exchanges[0].error.find("more than 10 streams were open at once") != std::string::npos);
  h.close();
  CHECK(h.out.exchanges.size() == 21);
}
