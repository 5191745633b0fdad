#include "tests/mockttp_peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace trafficdb::test {
namespace {

std::string node_dir() { return std::string(TRAFFICDB_SOURCE_DIR) + "/tests/node"; }

}  // namespace

std::string mockttp_unavailable() {
  if (run_command({"node", "--version"}).exit_code != 0) return "node is not installed (scripts/setup-node.sh)";
  if (!std::filesystem::is_directory(node_dir() + "/node_modules/mockttp"))
    return "tests/node/node_modules is absent (scripts/setup-node.sh installs Mockttp there)";
  return "";
}


std::unique_ptr<RunningProcess> MockttpPeers::node(const std::string& script, const std::vector<std::string>& args,
                                                   const std::string& name) {
  std::vector<std::string> argv{"node", node_dir() + "/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  // Mockttp's passthrough trusts the upstream's certificate through this.
  auto p = std::make_unique<RunningProcess>(argv, std::vector<std::string>{"NODE_EXTRA_CA_CERTS=" + ca_cert()},
                                            dir_.file(name + ".out"), dir_.file(name + ".err"));
  if (!p->wait_for_output("ready ", std::chrono::seconds(30)))
    throw std::runtime_error(script + " did not start: " + p->out() + p->err());
  return p;
}

MockttpPeers::MockttpPeers(bool strict_origin, bool admin_running) : strict_origin_(strict_origin) {
  const auto made = run_command({"node", node_dir() + "/mockttp_make_ca.mjs", dir_.path()});
  if (made.exit_code != 0) throw std::runtime_error("mockttp_make_ca.mjs failed: " + made.err);
  upstream_ = node("mockttp_upstream.mjs", {dir_.path()}, "upstream");
  std::istringstream ready(upstream_->out());
  std::string word;
  ready >> word >> http_port_ >> https_port_;
  admin_port_ = free_port();
  if (admin_running) start_admin();
}

void MockttpPeers::start_admin() {
  std::vector<std::string> args{std::to_string(admin_port_), "--keepalive", "1000"};
  if (strict_origin_) args.push_back("--strict-origin");
  admin_ = node("mockttp_admin_server.mjs", args, "admin" + std::to_string(++admin_starts_));
}

void MockttpPeers::kill_admin() {
  admin_->stop(SIGKILL);
  admin_.reset();
}

}  // namespace trafficdb::test
