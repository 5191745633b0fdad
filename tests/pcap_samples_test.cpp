// Every capture in ../shared/samples/pcap imports, and holds the exchanges
// its README lists (or, where tshark is wrong or blind, what is right).
#include <filesystem>

#include <catch2/catch.hpp>

#include "recorder/pcap/pcap_file_reader.h"
#include "tests/test_support.h"

using namespace trafficdb;

namespace {

struct Imported {
  ImportReport report;
  std::vector<Exchange> exchanges;
};

Imported import_sample(const std::string& name) {
  const std::string dir = test::require_shared_samples();
  test::CollectingSink sink;
  auto report = read_pcap_file(dir + "/pcap/" + name, sink, CaptureOptions{});
  REQUIRE(report.is_ok());
  INFO(name);
  CHECK_FALSE(report->fatal);
  return {std::move(report).value(), sink.snapshot()};
}

const std::string& response_body(const Exchange& e) { return e.response->body.data; }

}  // namespace

TEST_CASE("Samples: plain GETs over every link layer", "[pcap][samples]") {
  for (const char* name : {"get.pcap", "get-nosyn.pcap", "get-without-fins.pcap", "http-vlan-0.pcap",
                           "http-qinq-0.pcap"}) {
    INFO(name);
    const Imported got = import_sample(name);
    REQUIRE(got.exchanges.size() == 1);
    const Exchange& e = got.exchanges[0];
    CHECK(e.request.method == "GET");
    CHECK(e.request.url == "http://bro.org/download/CHANGES.bro-aux.txt");
    CHECK(e.response->status == 200);
    CHECK(e.response->body.size == 4705);
    CHECK(response_body(e).rfind("1.0 | 2011", 0) == std::string::npos);  // a real text body
    CHECK(e.error.empty());
  }
  const Imported nflog = import_sample("nflog-http.pcap");
  REQUIRE(nflog.exchanges.size() == 1);
  CHECK(nflog.exchanges[0].request.url == "http://www.example.net/");
  CHECK(nflog.exchanges[0].response->status == 200);

  const Imported sll = import_sample("sll.pcap");
  REQUIRE(sll.exchanges.size() == 2);
  CHECK(sll.exchanges[0].response->status == 301);
  CHECK(sll.exchanges[1].request.url == "http://www.ynet.co.il/home/0,7340,L-8,00.html");
  CHECK(sll.exchanges[1].response->status == 200);
  CHECK(sll.exchanges[1].error.empty());
}

TEST_CASE("Samples: IPv6, raw IP, four connections, and an atomic fragment tshark misses", "[pcap][samples]") {
  const Imported v6 = import_sample("four_ipv6_http_streams.pcap");
  REQUIRE(v6.exchanges.size() == 9);
  for (const Exchange& e : v6.exchanges) {
    CHECK(e.response->status == 200);
    CHECK(e.error.empty());
  }
  CHECK(v6.exchanges[0].request.url == "http://www.uk6x.com/");

  // HTTP/0.9 over IPv6 with destination options and atomic fragments; in the
  // first connection the response is captured before its request.
  const Imported frag = import_sample("ipv6-http-atomic-frag.pcap");
  REQUIRE(frag.exchanges.size() == 4);
  for (const Exchange& e : frag.exchanges) {
    CHECK(e.request.url == "http://[2001:db8:1::1]/bad.html");
    CHECK(e.request.http_version == "HTTP/0.9");
    CHECK(response_body(e).find("<title>Bad!</title>") != std::string::npos);
  }
  CHECK(frag.exchanges[0].error.empty());
  CHECK(frag.exchanges[3].error.find("capture ended") != std::string::npos);  // its FIN is not in the file
}

TEST_CASE("Samples: bodies, gzip, brotli, zstd, large POSTs, proxies", "[pcap][samples]") {
  const Imported gz = import_sample("get-gzip.pcap");
  REQUIRE(gz.exchanges.size() == 1);
  CHECK(gz.exchanges[0].response->body.encoding == "gzip");
  CHECK(response_body(gz.exchanges[0]).find("\"gzipped\": true") != std::string::npos);
  CHECK(gz.exchanges[0].response->body.wire_size == 165);

  const Imported br = import_sample("http-brotli.pcapng");
  REQUIRE(br.exchanges.size() == 1);
  CHECK(response_body(br.exchanges[0]).rfind("This is a test file for testing brotli decompression", 0) == 0);

  const Imported br_only = import_sample("http_compressed-brotli.pcap");
  REQUIRE(br_only.exchanges.size() == 1);
  CHECK(br_only.exchanges[0].error == "no request in capture");
  CHECK(response_body(br_only.exchanges[0]).rfind("This is a test file", 0) == 0);

  const Imported zstd = import_sample("http_compressed-zstd.pcap");  // tshark 4.0 cannot decode zstd
  REQUIRE(zstd.exchanges.size() == 1);
  CHECK(zstd.exchanges[0].response->body.encoding == "zstd");
  CHECK(response_body(zstd.exchanges[0]).rfind("GET /tmp_echo_zstd_request_for_testing", 0) == 0);

  // The request and the response travel on two different connections.
  const Imported split = import_sample("http_compressed.pcap");
  REQUIRE(split.exchanges.size() == 2);
  const bool response_first = split.exchanges[0].error == "no request in capture";
  const Exchange& answer = split.exchanges[response_first ? 0 : 1];
  const Exchange& asked = split.exchanges[response_first ? 1 : 0];
  CHECK(answer.error == "no request in capture");
  CHECK(answer.response->body.size == 513);
  CHECK(asked.request.path == "/spx");
  CHECK(asked.error == "no response in capture");

  const Imported post = import_sample("post.pcap");
  REQUIRE(post.exchanges.size() == 1);
  CHECK(post.exchanges[0].request.method == "POST");
  CHECK_FALSE(post.exchanges[0].request.body.data.empty());

  const Imported large = import_sample("post-large.pcap");
  REQUIRE(large.exchanges.size() == 2);
  for (const Exchange& e : large.exchanges) {
    CHECK(e.request.body.data.size() == 61484);
    CHECK(e.response->body.data.size() == 60321);
    CHECK(e.error.empty());
  }

  const Imported proxy = import_sample("proxy.pcap");
  REQUIRE(proxy.exchanges.size() == 1);
  CHECK(proxy.exchanges[0].request.url == "http://bro.org/");

  const Imported gap = import_sample("large-gap.pcap");
  REQUIRE(gap.exchanges.size() == 1);
  CHECK(gap.exchanges[0].response->status == 206);
}

TEST_CASE("Samples: reassembly — keep-alive, wraparound, out of order, missing packets", "[pcap][samples]") {
  const Imported keep = import_sample("tcp-reassembly.pcap");
  REQUIRE(keep.exchanges.size() == 14);
  for (const Exchange& e : keep.exchanges) {
    CHECK(e.request.host == "tag.crsspxl.com");
    CHECK(e.response->status == 200);
    CHECK(e.error.empty());
  }

  const Imported wrap = import_sample("one_tcp_stream_max_seq.pcap");
  REQUIRE(wrap.exchanges.size() == 2);
  for (const Exchange& e : wrap.exchanges) {
    CHECK(e.request.method == "POST");
    CHECK(e.response->status == 200);
    CHECK(e.error.empty());
  }

  // Client side only, segments out of order (tshark's default finds 1 of the 5).
  const Imported ooo = import_sample("http-ooo.pcap");
  REQUIRE(ooo.exchanges.size() == 5);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"PUT", "/1"}, {"GET", "/2"}, {"PUT", "/3"}, {"PUT", "/4"}, {"PUT", "/5"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(ooo.exchanges[i].request.method == expected[i].first);
    CHECK(ooo.exchanges[i].request.path == expected[i].second);
    CHECK(ooo.exchanges[i].error == "no response in capture");
  }
  CHECK(ooo.exchanges[3].request.body.data == "four\n");
  CHECK(ooo.exchanges[4].request.body.data == "DATA");

  const Imported one_way = import_sample("unidirectional_tcp_stream_with_missing_packet.pcap");
  REQUIRE(one_way.exchanges.size() == 2);
  CHECK(one_way.exchanges[0].error.find("1420 bytes of its 2428 bytes of body are missing") != std::string::npos);
}

TEST_CASE("Samples: an h2c upgrade is followed into HTTP/2: the upgraded request's stream and the next",
          "[pcap][samples][http2]") {
  const Imported h2c = import_sample("http2_h2c.pcap");
  REQUIRE(h2c.exchanges.size() == 2);
  const Exchange& robots = h2c.exchanges[0];
  CHECK(robots.request.url == "http://nghttp2.org/robots.txt");
  CHECK(robots.request.http_version == "HTTP/2");
  REQUIRE(robots.response);
  CHECK(robots.response->status == 200);
  CHECK(robots.response->body.data.rfind("User-agent: *", 0) == 0);
  CHECK(robots.details.find("\"protocol_switch\":\"h2c\"") != std::string::npos);
  CHECK(robots.details.find("\"stream\":1") != std::string::npos);
  CHECK(robots.error.empty());
  const Exchange& humans = h2c.exchanges[1];
  CHECK(humans.request.url == "http://nghttp2.org/humans.txt");
  CHECK(find_header(humans.request.headers, ":method") == "GET");
  REQUIRE(humans.response);
  CHECK(humans.response->status == 404);
  CHECK(humans.response->body.data == "not found");
  CHECK(humans.details.find("\"stream\":3") != std::string::npos);
}

TEST_CASE("Samples: every capture imports without a problem", "[pcap][samples]") {
  const std::string dir = test::require_shared_samples();
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/pcap")) {
    const std::string name = entry.path().filename().string();
    INFO(name);
    test::CollectingSink sink;
    auto report = read_pcap_file(entry.path().string(), sink, CaptureOptions{});
    REQUIRE(report.is_ok());
    CHECK(report->problem_count == 0);
    CHECK_FALSE(report->fatal);
  }
}
