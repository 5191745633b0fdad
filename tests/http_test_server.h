// An HTTP/1.1 server on 127.0.0.1 for tests that capture real traffic, and
// the bodies it serves, so a test can predict every byte of every response.
//
// Endpoints (GET ones also answer HEAD: same headers, no body):
//   GET  /json?n=N     json_body(N), Content-Length
//   GET  /chunked?n=N  chunked_body(N), Transfer-Encoding: chunked, sent as
//                      chunked_body_pieces(N)
//   GET  /gzip?n=N     gzip_body(N) compressed, Content-Encoding: gzip
//   GET  /large        large_body() (3 MiB, binary), Content-Length
//   GET  /etag         etag_body() with ETag kEtag; 304 without a body when
//                      If-None-Match is kEtag
//   POST /echo         the request body back, as application/octet-stream
//   GET  /headers      the request's headers, one "Name: value" line each
//                      (sorted by name), as text/plain
//   GET  /slow?ms=N    "slow" after waiting N milliseconds
//   anything else      404, empty body
// Pipelined requests are answered in order. An `Expect: 100-continue`
// request gets `100 Continue` before its body is read.
// No response is compressed by the server library itself: every content type
// served carries parameters or is binary, which httplib never compresses.
// Connections stay open for up to 100 requests.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace trafficdb::test {

inline constexpr const char* kEtag = "\"v1\"";

// `size` bytes of a fixed pseudo-random sequence chosen by `seed`.
std::string deterministic_bytes(std::size_t size, unsigned seed);

std::string json_body(int n);
std::vector<std::string> chunked_body_pieces(int n);
std::string chunked_body(int n);  // the pieces joined
std::string gzip_body(int n);     // decoded
std::string large_body();
std::string etag_body();

// Listens from construction until destruction, serving from its own threads.
class HttpTestServer {
 public:
  HttpTestServer();  // throws std::runtime_error when it cannot listen
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace trafficdb::test
