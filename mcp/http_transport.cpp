#include "mcp/http_transport.h"

#include <httplib.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "common/local_origin.h"
#include "common/random_token.h"

namespace trafficdb::mcp {
namespace {

constexpr const char* kEndpoint = "/mcp";

std::string new_session_id() {
  auto id = random_hex_token(16);
  if (!id.is_ok()) throw std::runtime_error(id.status().message());
  return std::move(id).value();
}

void json_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(wire(rpc_error_message(nullptr, rpc_error::invalid_request, message)), "application/json");
}

class Sessions {
 public:
  Sessions(McpContext& context, const std::vector<Tool>& tools, McpServer::Log log)
      : context_(context), tools_(tools), log_(std::move(log)) {}

  std::string open() {
    std::lock_guard lk(mu_);
    const std::string id = new_session_id();
    sessions_[id] = std::make_shared<McpServer>(context_, tools_, log_);
    return id;
  }
  std::shared_ptr<McpServer> find(const std::string& id) {
    std::lock_guard lk(mu_);
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : it->second;
  }
  bool close(const std::string& id) {
    std::shared_ptr<McpServer> server;
    {
      std::lock_guard lk(mu_);
      auto it = sessions_.find(id);
      if (it == sessions_.end()) return false;
      server = it->second;
      sessions_.erase(it);
    }
    server->cancel_all();
    return true;
  }

 private:
  McpContext& context_;
  const std::vector<Tool>& tools_;
  McpServer::Log log_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<McpServer>> sessions_;
};

}  // namespace

Status serve_http(McpContext& context, const std::vector<Tool>& tools, const HttpOptions& options,
                  const McpServer::Log& log, const std::function<void(int port)>& on_listening,
                  const std::function<bool()>& should_stop) {
  httplib::Server http;
  http.set_payload_max_length(16u << 20);  // one JSON-RPC message; larger bodies get 413
  http.set_tcp_nodelay(true);           // small JSON replies should not wait for Nagle
  http.set_keep_alive_timeout(2);       // idle keep-alive connections do not delay a stop for long
  Sessions sessions(context, tools, log);

  // Origin and token checks for every request to the endpoint.
  const auto admitted = [&](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Origin")) {
      const std::string origin = req.get_header_value("Origin");
      if (!origin_allowed(origin, options.allowed_origins)) {
        json_error(res, 403, "Origin '" + origin + "' is not allowed (start the server with --allow-origin)");
        return false;
      }
    }
    if (req.has_header("MCP-Protocol-Version") &&
        !supports_protocol_version(req.get_header_value("MCP-Protocol-Version"))) {
      json_error(res, 400, "unsupported MCP-Protocol-Version '" + req.get_header_value("MCP-Protocol-Version") + "'");
      return false;
    }
    if (!options.token.empty() && req.get_header_value("Authorization") != "Bearer " + options.token) {
      res.set_header("WWW-Authenticate", "Bearer");
      json_error(res, 401, "this server needs Authorization: Bearer <token> (its --token)");
      return false;
    }
    return true;
  };

  http.Post(kEndpoint, [&](const httplib::Request& req, httplib::Response& res) {
    if (!admitted(req, res)) return;
    json message;
    try {
      message = json::parse(req.body);
    } catch (const json::parse_error& e) {
      res.status = 400;
      res.set_content(wire(rpc_error_message(nullptr, rpc_error::parse_error, std::string("not JSON: ") + e.what())),
                      "application/json");
      return;
    }
    if (!message.is_object()) return json_error(res, 400, "one JSON-RPC message per POST (no batches)");
    const bool is_request = message.contains("id") && message.contains("method");
    const bool is_initialize = is_request && message.at("method") == "initialize";

    std::shared_ptr<McpServer> server;
    std::string session_id;
    if (is_initialize) {
      session_id = sessions.open();
      server = sessions.find(session_id);
    } else {
      session_id = req.get_header_value("Mcp-Session-Id");
      if (session_id.empty()) return json_error(res, 400, "missing Mcp-Session-Id header (initialize first)");
      server = sessions.find(session_id);
      if (!server) return json_error(res, 404, "unknown or ended session; initialize again");
    }
    res.set_header("Mcp-Session-Id", session_id);
    if (!is_request) {
      (void)server->handle(message, [](const json&) {});
      res.status = 202;
      return;
    }
    const bool wants_progress = message.contains("params") && message.at("params").is_object() &&
                                message.at("params").contains("_meta") &&
                                message.at("params").at("_meta").is_object() &&
                                message.at("params").at("_meta").contains("progressToken");
    if (!wants_progress) {
      const auto reply = server->handle(message, [](const json&) {});
      if (reply) res.set_content(wire(*reply), "application/json");
      else res.status = 202;  // cancelled: no response to give
      return;
    }
    // An SSE stream: progress notifications as they come, then the response.
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream", [server, message](std::size_t, httplib::DataSink& sink) {
          std::mutex write_mu;
          const auto event = [&](const json& m) {
            const std::string frame = "event: message\ndata: " + wire(m) + "\n\n";
            std::lock_guard lk(write_mu);
            if (!sink.write(frame.data(), frame.size())) server->cancel_all();  // the client went away
          };
          if (auto reply = server->handle(message, event)) event(*reply);
          sink.done();
          return true;
        });
  });
  http.Delete(kEndpoint, [&](const httplib::Request& req, httplib::Response& res) {
    if (!admitted(req, res)) return;
    const std::string id = req.get_header_value("Mcp-Session-Id");
    if (id.empty()) return json_error(res, 400, "missing Mcp-Session-Id header");
    if (!sessions.close(id)) return json_error(res, 404, "unknown or ended session");
    res.status = 200;
  });
  http.Get(kEndpoint, [&](const httplib::Request& req, httplib::Response& res) {
    if (!admitted(req, res)) return;
    res.status = 405;
    res.set_header("Allow", "POST, DELETE");
  });

  const int port = options.port == 0 ? http.bind_to_any_port(options.host) : options.port;
  if (options.port != 0 && !http.bind_to_port(options.host, options.port))
    return Status::error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                         " (in use, or not an address of this machine)");
  if (port < 0) return Status::error("cannot listen on " + options.host);
  if (on_listening) on_listening(port);
  std::thread listener([&] { http.listen_after_bind(); });
  while (!should_stop()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  http.stop();
  listener.join();
  return Status::ok();
}

}  // namespace trafficdb::mcp
