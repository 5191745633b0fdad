// HTTP traffic for capture tests, described request by request together with
// the response the test server (http_test_server.h) gives, and the two
// clients that send it: curl, and a socket that pipelines.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace trafficdb::test {

struct PlannedRequest {
  // Every member has a default, so designated initializers can leave any out.
  std::string method{};  // GET, HEAD or POST
  std::string target{};  // path and query, e.g. "/json?n=1"; unique within a test
  std::vector<std::pair<std::string, std::string>> headers{};  // sent besides the client's own
  std::string body{};                                          // sent with a POST
  bool accept_gzip = false;                                    // curl --compressed

  int status = 200;
  std::string response_body{};     // decoded, as the server sends it; "" for none
  std::string content_encoding{};  // of the response; "" for none
};

enum class Client {
  curl,        // one curl run: one request after the other on one kept-alive connection
  pipelining,  // one socket: every request in one send(), then every response read
};

struct PlannedConnection {
  Client client;
  std::vector<PlannedRequest> requests;
};

// Makes the requests of `connection` to 127.0.0.1:`port` and returns the
// client's local port. `work_dir` holds curl's files. Throws
// std::runtime_error when the client fails or does not get the planned
// statuses and bodies (then the test harness is wrong, not what it tests).
// A pipelining connection asks the server to close after its last request
// and sends no bodies.
int run_connection(const PlannedConnection& connection, int port, const std::string& work_dir);

}  // namespace trafficdb::test
