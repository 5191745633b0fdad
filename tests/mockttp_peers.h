// The real peers the HTTP Toolkit source is tested against, Node scripts in
// tests/node/ (Mockttp, the engine HTTP Toolkit runs, from
// tests/node/node_modules): a test CA, an upstream HTTP/HTTPS/WebSocket
// server, and a Mockttp admin server that can be killed and started again
// on the same port.
#pragma once

#include <memory>
#include <string>

#include "tests/running_process.h"
#include "tests/test_support.h"

namespace trafficdb::test {

// "" when node and tests/node/node_modules/mockttp are there; else why not.
std::string mockttp_unavailable();

class MockttpPeers {
 public:
  // `strict_origin`: the admin server accepts only HTTP Toolkit's Origin,
  // as HTTP Toolkit's does. It sends keep-alives every second.
  // `admin_running` false: the admin server's port is chosen but it is not
  // started until start_admin(). Throws std::runtime_error, with the peer's
  // output, when a peer does not start.
  explicit MockttpPeers(bool strict_origin = false, bool admin_running = true);

  const TempDir& dir() const { return dir_; }
  std::string ca_cert() const { return dir_.file("ca.pem"); }
  std::string ca_key() const { return dir_.file("ca.key"); }
  int admin_port() const { return admin_port_; }
  std::string admin_url() const { return "http://127.0.0.1:" + std::to_string(admin_port_); }
  int upstream_http_port() const { return http_port_; }
  int upstream_https_port() const { return https_port_; }

  // The upstream's process: it prints "hanging <url>" when a /hang request arrives.
  RunningProcess& upstream() { return *upstream_; }

  void kill_admin();   // SIGKILL: no goodbye to anyone
  void start_admin();  // again, on the same port

 private:
  std::unique_ptr<RunningProcess> node(const std::string& script, const std::vector<std::string>& args,
                                       const std::string& name);
  TempDir dir_;
  bool strict_origin_;
  int admin_port_ = 0;
  int http_port_ = 0, https_port_ = 0;
  std::unique_ptr<RunningProcess> upstream_, admin_;
  int admin_starts_ = 0;
};

}  // namespace trafficdb::test
