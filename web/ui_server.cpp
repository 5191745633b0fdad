#include "web/ui_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "common/local_origin.h"
#include "web/embedded_assets.h"
#include "web/ui_api.h"

namespace trafficdb::web {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kTailPollInterval{250};
constexpr std::chrono::seconds kTailHeartbeat{15};
constexpr std::size_t kTailRowsPerEvent = 200;
constexpr const char* kDeleteHeader = "X-Trafficdb-UI";

Params params_of(const httplib::Request& req) {
  Params params;
  for (const auto& [name, value] : req.params) params.emplace(name, value);
  return params;
}

void send(httplib::Response& res, const ApiReply& reply) {
  res.status = reply.status;
  if (!reply.download_name.empty())
    res.set_header("Content-Disposition", "attachment; filename=\"" + reply.download_name + "\"");
  res.set_content(reply.body, reply.content_type);
}

// The cookie that carries the token for pages opened with ?token=: one name
// per port, since browsers share a host's cookies across its ports.
std::string cookie_name(int port) { return "trafficdb_ui_" + std::to_string(port); }

bool cookie_has_token(const httplib::Request& req, const std::string& name, const std::string& token) {
  const std::string cookies = req.get_header_value("Cookie");
  const std::string wanted = name + "=" + token;
  std::size_t start = 0;
  while (start < cookies.size()) {
    std::size_t end = cookies.find(';', start);
    if (end == std::string::npos) end = cookies.size();
    std::string_view item(cookies.data() + start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item == wanted) return true;
    start = end + 1;
  }
  return false;
}

std::int64_t id_of(const httplib::Request& req) {
  try {
    return std::stoll(req.matches[1].str());
  } catch (const std::exception&) {
    return 0;  // beyond int64: no such exchange
  }
}

}  // namespace

Status serve_ui(const UiOptions& options, const UiLog& log, const std::function<void(int port)>& on_listening,
                const std::function<bool()>& should_stop) {
  httplib::Server http;
  http.set_payload_max_length(64 * 1024);  // the API takes no bodies
  http.set_tcp_nodelay(true);
  http.set_keep_alive_timeout(2);
  // Live tails hold a thread each while open.
  http.new_task_queue = [] { return new httplib::ThreadPool(32); };
  const UiApi api(options.db_path);
  std::atomic<bool> stopping{false};
  int port = 0;

  http.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Cache-Control", "no-store");
    const auto refuse = [&](int status, const std::string& message) {
      send(res, UiApi::error(status, message));
      return httplib::Server::HandlerResponse::Handled;
    };
    if (req.has_header("Origin") && !origin_allowed(req.get_header_value("Origin"), options.allowed_origins))
      return refuse(403, "Origin '" + req.get_header_value("Origin") + "' is not allowed (start with --allow-origin)");
    if (!host_header_allowed(req.get_header_value("Host"), options.host))
      return refuse(403, "Host '" + req.get_header_value("Host") +
                             "' is not this server's address (open it as 127.0.0.1 or localhost)");
    if (options.token.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (req.path == "/" && req.has_param("token") && req.get_param_value("token") == options.token) {
      res.set_header("Set-Cookie", cookie_name(port) + "=" + options.token + "; Path=/; HttpOnly; SameSite=Strict");
      res.set_redirect("/", 303);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.get_header_value("Authorization") == "Bearer " + options.token ||
        cookie_has_token(req, cookie_name(port), options.token))
      return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    return refuse(401, "this server needs its token: open the URL `trafficdb ui` printed (with ?token=...), "
                       "or send Authorization: Bearer TOKEN");
  });

  const auto serve_asset = [](const std::string& name, httplib::Response& res) {
    const Asset* asset = find_asset(name);
    if (!asset) return send(res, UiApi::error(404, "no such file"));
    res.set_content(std::string(asset->bytes), std::string(asset->content_type));
  };
  http.Get("/", [&](const httplib::Request&, httplib::Response& res) { serve_asset("index.html", res); });
  http.Get(R"(/assets/([A-Za-z0-9_.-]+))",
           [&](const httplib::Request& req, httplib::Response& res) { serve_asset(req.matches[1].str(), res); });

  http.Get("/api/sessions",
           [&](const httplib::Request& req, httplib::Response& res) { send(res, api.sessions(params_of(req))); });
  http.Delete(R"(/api/sessions/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value(kDeleteHeader) != "1")
      return send(res, UiApi::error(403, std::string("deleting needs the header ") + kDeleteHeader + ": 1"));
    const ApiReply reply = api.delete_session(id_of(req));
    if (reply.status == 200) log("deleted session " + req.matches[1].str());
    send(res, reply);
  });
  http.Get("/api/exchanges",
           [&](const httplib::Request& req, httplib::Response& res) { send(res, api.exchanges(params_of(req))); });
  http.Get(R"(/api/exchanges/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    send(res, api.exchange(id_of(req), params_of(req)));
  });
  http.Get(R"(/api/exchanges/(\d+)/curl)", [&](const httplib::Request& req, httplib::Response& res) {
    send(res, api.curl(id_of(req), params_of(req)));
  });
  http.Get(R"(/api/exchanges/(\d+)/har)", [&](const httplib::Request& req, httplib::Response& res) {
    send(res, api.har(id_of(req), params_of(req)));
  });
  http.Get("/api/export.har",
           [&](const httplib::Request& req, httplib::Response& res) { send(res, api.export_har(params_of(req))); });
  http.Get("/api/diff", [&](const httplib::Request& req, httplib::Response& res) { send(res, api.diff(params_of(req))); });
  http.Get("/api/stats",
           [&](const httplib::Request& req, httplib::Response& res) { send(res, api.stats(params_of(req))); });
  http.Get("/api/waterfall",
           [&](const httplib::Request& req, httplib::Response& res) { send(res, api.waterfall(params_of(req))); });

  // The live tail: `after` (or the EventSource's Last-Event-ID) is where it
  // starts; absent, from the newest row now. Each event's id is its last row's.
  http.Get("/api/tail", [&](const httplib::Request& req, httplib::Response& res) {
    Params params = params_of(req);
    auto filter = filter_from_params(params, {"after"});
    if (!filter.is_ok()) return send(res, UiApi::error(400, filter.status().message()));
    std::int64_t cursor = -1;
    const std::string start = req.has_header("Last-Event-ID") ? req.get_header_value("Last-Event-ID")
                                                              : req.get_param_value("after");
    if (!start.empty()) {
      try {
        cursor = std::stoll(start);
      } catch (const std::exception&) {
        return send(res, UiApi::error(400, "parameter 'after': give an exchange id, not '" + start + "'"));
      }
    }
    if (cursor < 0) {
      auto latest = api.latest_id();
      if (!latest.is_ok()) return send(res, UiApi::error(500, latest.status().message()));
      cursor = *latest;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "text/event-stream",
        [&api, &stopping, &should_stop, filter = std::move(filter).value(), cursor](std::size_t,
                                                                                  httplib::DataSink& sink) mutable {
          const auto write = [&](const std::string& frame) { return sink.write(frame.data(), frame.size()); };
          if (!write("retry: 1000\n: tail after " + std::to_string(cursor) + "\n\n")) return false;
          auto last_write = Clock::now();
          while (!stopping.load() && !should_stop()) {
            auto page = api.rows_after(filter, cursor, kTailRowsPerEvent);
            if (!page.is_ok()) {
              write("event: failure\ndata: " + dump_json({{"error", page.status().message()}}) + "\n\n");
              break;
            }
            if (!page->items.empty()) {
              json items = json::array();
              for (const ExchangeSummary& s : page->items) items.push_back(summary_to_json(s, true));
              cursor = page->items.back().id;
              if (!write("id: " + std::to_string(cursor) + "\nevent: rows\ndata: " + dump_json({{"items", items}}) +
                         "\n\n"))
                return false;
              last_write = Clock::now();
              if (page->has_more) continue;
            } else if (Clock::now() - last_write >= kTailHeartbeat) {
              if (!write(": still here\n\n")) return false;  // finds a closed connection
              last_write = Clock::now();
            }
            if (!sink.is_writable()) return false;
            std::this_thread::sleep_for(kTailPollInterval);
          }
          sink.done();
          return true;
        });
  });

  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) send(res, UiApi::error(res.status, "no such page or API call"));
  });

  port = options.port == 0 ? http.bind_to_any_port(options.host) : options.port;
  if (options.port != 0 && !http.bind_to_port(options.host, options.port))
    return Status::error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                         " (in use, or not an address of this machine)");
  if (port < 0) return Status::error("cannot listen on " + options.host);
  if (on_listening) on_listening(port);
  std::thread listener([&] { http.listen_after_bind(); });
  while (!should_stop()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stopping = true;
  http.stop();
  listener.join();
  return Status::ok();
}

}  // namespace trafficdb::web
