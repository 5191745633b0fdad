// A real nginx (Debian's nginx-light) on loopback for the TLS and HTTP/2
// capture tests: one server speaking TLS 1.2 and 1.3 with ALPN h2 and
// http/1.1, one speaking h2c with prior knowledge, both serving the files
// the test puts in its www directory (pushing /pushed.json with
// /pushing.json over HTTP/2), taking uploads with PUT (WebDAV), and
// logging every request in a form the tests read back:
//   <method> <uri> <status> <body bytes sent> <protocol> <request length>
// Its own self-signed certificate is made with the openssl command.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/running_process.h"
#include "tests/test_support.h"

namespace trafficdb::test {

// Why nginx tests cannot run here (nginx or openssl missing), or "".
std::string nginx_unavailable();

struct NginxLogLine {
  std::string method, uri, protocol;
  int status = 0;
  long long body_bytes_sent = 0;
  long long request_length = 0;
};

class NginxServer {
 public:
  // Throws std::runtime_error, with nginx's messages, when it does not start.
  NginxServer();
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  int tls_port() const { return tls_port_; }
  int h2c_port() const { return h2c_port_; }
  std::string https_url(const std::string& path) const;
  std::string h2c_url(const std::string& path) const;

  // Writes a file nginx serves at /<name>.
  void put_file(const std::string& name, const std::string& content) const;
  // What nginx logged so far, in order (its start-up probes left out).
  std::vector<NginxLogLine> log() const;

  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  int tls_port_ = 0, h2c_port_ = 0;
  std::unique_ptr<RunningProcess> nginx_;
};

}  // namespace trafficdb::test
