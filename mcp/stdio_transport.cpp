#include "mcp/stdio_transport.h"

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace trafficdb::mcp {
namespace {

constexpr std::size_t kMaxMessageBytes = 16u << 20;
constexpr std::size_t kMaxRunningRequests = 16;
constexpr int kServerBusy = -32000;  // JSON-RPC's range for server errors

// One line of `in`, keeping at most kMaxMessageBytes + 1 bytes of it (the
// rest of an overlong line is read and dropped). False at the end.
bool read_bounded_line(std::istream& in, std::string& line) {
  line.clear();
  int c;
  bool any = false;
  while ((c = in.get()) != std::char_traits<char>::eof()) {
    any = true;
    if (c == '\n') return true;
    if (line.size() <= kMaxMessageBytes) line.push_back(static_cast<char>(c));
  }
  return any;
}

}  // namespace

void serve_stdio(McpServer& server, std::istream& in, std::ostream& out, const McpServer::Log& log) {
  std::mutex out_mu;
  const McpServer::Send send = [&](const json& message) {
    const std::string line = wire(message);
    std::lock_guard lk(out_mu);
    out << line << '\n' << std::flush;
  };
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Worker> workers;
  const auto reap = [&] {
    for (auto it = workers.begin(); it != workers.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = workers.erase(it);
      } else {
        ++it;
      }
    }
  };
  std::string line;
  while (read_bounded_line(in, line)) {
    if (line.size() > kMaxMessageBytes) {
      send(rpc_error_message(nullptr, rpc_error::invalid_request,
                             "message longer than " + std::to_string(kMaxMessageBytes >> 20) + " MiB; ignored"));
      continue;
    }
    if (line.empty() || line == "\r") continue;
    json message;
    try {
      message = json::parse(line);
    } catch (const json::parse_error& e) {
      send(rpc_error_message(nullptr, rpc_error::parse_error, std::string("not JSON: ") + e.what()));
      continue;
    }
    const bool is_request = message.is_object() && message.contains("id") && message.contains("method");
    if (!is_request) {
      if (auto reply = server.handle(message, send)) send(*reply);
      continue;
    }
    reap();
    if (workers.size() >= kMaxRunningRequests) {
      send(rpc_error_message(message.at("id"), kServerBusy,
                             "server busy: " + std::to_string(kMaxRunningRequests) +
                                 " requests are still running; retry when one has answered (or cancel one)"));
      continue;
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread thread([&server, &send, &log, done, message = std::move(message)] {
      try {
        if (auto reply = server.handle(message, send)) send(*reply);
      } catch (const std::exception& e) {
        if (log) log(std::string("request failed: ") + e.what());
      }
      done->store(true);
    });
    workers.push_back({std::move(thread), std::move(done)});
  }
  server.cancel_all();
  for (Worker& w : workers) w.thread.join();
}

}  // namespace trafficdb::mcp
