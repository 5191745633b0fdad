// The HTTP/1.1 side of the pcap workload: the hosts and clients, and the
// request and response bytes of each kind of exchange, with realistic
// headers and Content-Length, chunked and gzip-encoded bodies. Bodies come
// from pools built once (JSON and HTML get a fresh request id patched in on
// every use, static assets are gzip-compressed once and reused as a server
// would), so that a large workload is generated in seconds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "workload_random.h"

namespace bench::pcap_workload {

enum class ExchangeKind : std::uint8_t {
  json,           // GET, 200 application/json with Content-Length
  html,           // GET, 200 text/html with Content-Length
  chunked,        // GET, 200 JSON or HTML, Transfer-Encoding: chunked, streamed
  gzip,           // GET of a static asset, 200 Content-Encoding: gzip (Content-Length or chunked)
  not_modified,   // conditional GET, 304 without a body
  post,           // POST of a JSON body, 201 or 200 with a small JSON body
  post_continue,  // likewise with Expect: 100-continue and a 100 Continue first
  del,            // DELETE, 204 No Content
  not_found,      // GET, 404 with a small body
  large,          // GET of a binary file (WebP image, zip) of 20-250 KB
  aborted,        // GET the server answers with a TCP reset: no response
};
inline constexpr std::size_t kKindCount = 11;
std::string_view kind_name(ExchangeKind kind);

enum class HostProfile : std::uint8_t { api, web, assets };

struct Host {
  std::string name;  // as in the Host header, without the port
  std::uint16_t port = 80;
  std::uint32_t ip = 0;
  HostProfile profile = HostProfile::api;
  std::string server;         // Server header
  double weight = 1;          // how often a new connection goes here
  std::int64_t rtt_us = 0;    // round trip from the capture point
  std::int64_t think_us = 0;  // mean time the server takes to answer
  std::uint8_t ttl = 64;      // of its packets at the capture point
};

struct Client {
  std::uint32_t ip = 0;
  std::string user_agent;
  std::string accept_language;
  std::string cookie;  // Cookie header value
  std::string bearer;  // Authorization: Bearer token for API hosts
};

struct HttpExchange {
  ExchangeKind kind = ExchangeKind::json;
  std::string method;
  std::string request_head;  // request line and headers, through the empty line
  std::string request_body;
  bool expect_continue = false;  // the body waits for "100 Continue"
  int status = 0;                // 0: the server resets the connection instead
  std::string response_head;
  std::string response_body;  // as framed on the wire (chunked, gzip)
  bool chunked = false;
  bool gzip = false;
  std::size_t decoded_response_bytes = 0;  // after chunked and content decoding
  std::vector<std::size_t> pauses;         // offsets in response_body where a streaming server paused
};

inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

class HttpMessages {
 public:
  // Builds the hosts, the clients and the body pools (a few MB) from `rng`.
  // api_json (pcap_workload_gen.h): only API hosts are chosen, every
  // exchange is a JSON GET, its bodies 1-8 KB.
  HttpMessages(WorkloadRandom& rng, bool api_json = false);

  const std::vector<Host>& hosts() const { return hosts_; }
  const std::vector<Client>& clients() const { return clients_; }

  // The next exchange on a keep-alive connection from `client` to `host`,
  // starting at `now_us`, into `out` (its buffers are reused). With
  // `aborted` it is a GET the server will reset.
  void next(const Host& host, const Client& client, std::int64_t now_us, bool aborted, HttpExchange& out);

 private:
  struct PooledText {
    std::string text;
    std::size_t id_offset = 0;  // where a 16-digit request id is patched in
  };
  struct Asset {
    std::string path;
    std::string content_type;
    std::string etag;
    std::string gzipped;
    std::size_t decoded_size = 0;
  };

  ExchangeKind pick_kind(HostProfile profile);
  std::string_view fresh_body(const PooledText& body);
  void start_request(const Host& host, const Client& client, std::string_view method, std::string_view path,
                     std::string_view accept, HttpExchange& out);
  void start_response(const Host& host, int status, std::int64_t now_us, HttpExchange& out);
  void end_response(const Host& host, HttpExchange& out);
  void set_body(std::string_view body, std::string_view content_type, bool chunked, HttpExchange& out);
  void frame_chunked(std::string_view body, HttpExchange& out);
  std::string api_path();
  std::string page_path();

  WorkloadRandom& rng_;
  const bool api_json_;
  std::vector<Host> hosts_;
  std::vector<Client> clients_;
  std::vector<PooledText> json_;  // 100 B - 5 KB
  std::vector<PooledText> html_;  // 2 - 16 KB
  std::vector<Asset> assets_;     // JS, CSS, JSON, SVG; 2 - 40 KB decoded
  std::string binary_;            // random bytes large bodies are cut from
  std::string scratch_;           // a pooled body with a fresh request id
};

}  // namespace bench::pcap_workload
