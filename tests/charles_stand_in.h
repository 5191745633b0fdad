// A STAND-IN for Charles Proxy's Web Interface. Charles itself cannot run
// here (it is a desktop Java application with a licence), so this small
// cpp-httplib server plays its part: it listens like Charles's proxy port,
// answers the absolute-form requests for http://control.charles/... that
// trafficdb sends through the proxy, checks basic auth as Charles's Web
// Interface does, and replays *real* Charles session exports (the files in
// ../shared/samples/charles/) as successive answers to
// /session/export-json, following a script: a growing session, a
// transaction first seen in flight and later complete, a clear.
#pragma once

#include <httplib.h>

#include "common/base64.h"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace trafficdb::test {

class CharlesStandIn {
 public:
  CharlesStandIn(std::vector<std::string> exports, std::string user, std::string password)
      : exports_(std::move(exports)), user_(std::move(user)), password_(std::move(password)) {
    start_server(0);
  }
  ~CharlesStandIn() { stop_server(); }

  int port() const { return port_; }
  std::string proxy() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::size_t polls() const { return polls_; }
  std::vector<std::string> paths() {
    std::lock_guard lk(mu_);
    return paths_;
  }
  // The next poll answers exports[i] (each poll moves one step on; the last repeats).
  void go_to(std::size_t i) { step_ = i; }
  // Down: the port stops answering, as when Charles quits; up again on the same port.
  void down() { stop_server(); }
  void up() { start_server(port_); }

 private:
  void start_server(int port) {
    server_ = std::make_unique<httplib::Server>();
    server_->Get(R"(.*)", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    if (port == 0) port_ = server_->bind_to_any_port("127.0.0.1");
    else server_->bind_to_port("127.0.0.1", port);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void stop_server() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lk(mu_);
      paths_.push_back(req.path);
    }
    // Charles only serves these through its proxy, for the virtual host.
    if (req.path.rfind("http://control.charles/", 0) != 0 || req.get_header_value("Host") != "control.charles") {
      res.status = 502;
      return;
    }
    const std::string expected = "Basic " + base64_encode(user_ + ":" + password_);
    if (req.get_header_value("Authorization") != expected) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic realm=\"Charles Web Interface\"");
      return;
    }
    const std::string path = req.path.substr(std::string("http://control.charles").size());
    if (path == "/session/export-json") {
      const std::size_t i = std::min(step_.load(), exports_.size() - 1);
      ++polls_;
      if (step_ < exports_.size()) ++step_;
      res.set_content(exports_[i], "application/json");
    } else if (path == "/recording/") {
      res.set_content(recording_ ? "<html>Status: Recording</html>" : "<html>Status: Stopped</html>", "text/html");
    } else if (path == "/recording/start") {
      recording_ = true;
      res.set_content("<html>Recording started</html>", "text/html");
    } else if (path == "/session/clear") {
      res.set_content("<html>Session cleared</html>", "text/html");
    } else {
      res.status = 404;
    }
  }

  std::vector<std::string> exports_;
  std::string user_, password_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<std::size_t> step_{0};
  std::atomic<std::size_t> polls_{0};
  std::atomic<bool> recording_{false};
  std::mutex mu_;
  std::vector<std::string> paths_;
};

}  // namespace trafficdb::test
