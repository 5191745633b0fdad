// Each call starts one asynchronous Beast operation and runs the
// connection's io_context on the calling thread until that operation's
// handler has run; other threads only post into the io_context.
#include "recorder/httptoolkit/websocket_client.h"

#include <atomic>
#include <deque>
#include <functional>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace trafficdb {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct WebSocketClient::Impl {
  explicit Impl(WebSocketTimeouts t) : timeouts(t) {}

  const WebSocketTimeouts timeouts;
  net::io_context ioc{1};
  std::optional<websocket::stream<beast::tcp_stream>> ws;  // after ioc: destroyed first
  std::string where;                                       // "ws://host:port/path"
  std::atomic<bool> interrupted{false};
  // Messages to write, one at a time (Beast allows one write in flight).
  std::deque<std::string> outbox;
  bool writing = false;
  beast::error_code write_error;

  // Runs the I/O on this thread while `more()` says the operation is not over.
  void run_while(const std::function<bool()>& more) {
    ioc.restart();
    while (more() && ioc.run_one() > 0) {
    }
  }

  void write_next() {
    if (outbox.empty() || write_error) {
      writing = false;
      return;
    }
    writing = true;
    ws->text(true);
    ws->async_write(net::buffer(outbox.front()), [this](beast::error_code ec, std::size_t) {
      outbox.pop_front();
      if (ec) {
        write_error = ec;
        outbox.clear();
      }
      write_next();
    });
  }

  void queue(std::string text) {
    outbox.push_back(std::move(text));
    if (!writing) write_next();
  }

  Status failure(const std::string& doing, const beast::error_code& ec) const {
    if (interrupted) return Status::cancelled(doing + " " + where + ": interrupted");
    std::string why = ec.message();
    if (ec == beast::error::timeout)
      why = "nothing came for " + std::to_string(timeouts.idle.count()) + " ms, not even an answer to a ping";
    else if (ec == websocket::error::closed && ws) {
      const websocket::close_reason& r = ws->reason();
      why = "the server closed the connection (code " + std::to_string(r.code) +
            (r.reason.empty() ? "" : ", '" + std::string(r.reason.c_str()) + "'") + ")";
    } else if (ec == net::error::eof || ec == net::error::connection_reset) {
      why = "the server dropped the connection (" + ec.message() + ")";
    }
    return Status::unavailable(doing + " " + where + ": " + why);
  }

  Status check_usable(const char* doing) const {
    if (interrupted) return Status::cancelled(std::string(doing) + " " + where + ": interrupted");
    if (!ws || !ws->is_open()) return Status::unavailable(std::string(doing) + " " + where + ": not connected");
    return Status::ok();
  }
};

WebSocketClient::WebSocketClient(WebSocketTimeouts timeouts) : impl_(std::make_unique<Impl>(timeouts)) {}

WebSocketClient::~WebSocketClient() = default;

Status WebSocketClient::connect(const WebSocketTarget& target) {
  Impl& m = *impl_;
  m.where = "ws://" + target.host + ":" + std::to_string(target.port) + target.path;
  if (m.interrupted) return Status::cancelled("connecting to " + m.where + ": interrupted");
  m.ws.emplace(m.ioc);
  beast::error_code ec;
  bool done = false;

  tcp::resolver resolver(m.ioc);
  tcp::resolver::results_type endpoints;
  resolver.async_resolve(target.host, std::to_string(target.port),
                         [&](beast::error_code e, tcp::resolver::results_type r) {
                           ec = e;
                           endpoints = std::move(r);
                           done = true;
                         });
  m.run_while([&] { return !done; });
  if (ec || m.interrupted) return m.failure("resolving the host of", ec);

  beast::tcp_stream& socket = beast::get_lowest_layer(*m.ws);
  socket.expires_after(m.timeouts.connect);
  done = false;
  socket.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  m.run_while([&] { return !done; });
  if (ec) return m.failure("connecting to", ec);
  socket.expires_never();  // the WebSocket's own timeouts apply from here

  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = m.timeouts.connect;
  timeouts.idle_timeout = m.timeouts.idle;
  timeouts.keep_alive_pings = true;
  m.ws->set_option(timeouts);
  m.ws->set_option(websocket::stream_base::decorator([target](websocket::request_type& req) {
    req.set(http::field::user_agent, "trafficdb");
    if (!target.origin.empty()) req.set(http::field::origin, target.origin);
    if (!target.subprotocol.empty()) req.set(http::field::sec_websocket_protocol, target.subprotocol);
  }));
  m.ws->read_message_max(0);  // no limit: messages are read a part at a time

  websocket::response_type response;
  done = false;
  m.ws->async_handshake(response, target.host + ":" + std::to_string(target.port), target.path,
                        [&](beast::error_code e) {
                          ec = e;
                          done = true;
                        });
  m.run_while([&] { return !done; });
  if (ec == websocket::error::upgrade_declined)
    return Status::error("the server declined the WebSocket upgrade at " + m.where + " (HTTP " +
                         std::to_string(response.result_int()) + ")");
  if (ec) return m.failure("upgrading to a WebSocket at", ec);
  if (!target.subprotocol.empty() && response[http::field::sec_websocket_protocol] != target.subprotocol)
    return Status::error("the server at " + m.where + " did not agree to the " + target.subprotocol + " subprotocol");
  return Status::ok();
}

Status WebSocketClient::send_text(std::string_view text) {
  Impl& m = *impl_;
  if (Status s = m.check_usable("writing to"); !s.is_ok()) return s;
  m.queue(std::string(text));
  m.run_while([&] { return m.writing; });
  if (m.write_error) return m.failure("writing to", m.write_error);
  return m.interrupted ? m.check_usable("writing to") : Status::ok();
}

void WebSocketClient::post_text(std::string text) {
  net::post(impl_->ioc, [m = impl_.get(), text = std::move(text)]() mutable {
    if (m->ws && m->ws->is_open()) m->queue(std::move(text));
  });
}

Result<WebSocketClient::Part> WebSocketClient::read_part(char* into, std::size_t capacity) {
  Impl& m = *impl_;
  if (Status s = m.check_usable("reading from"); !s.is_ok()) return s;
  beast::error_code ec;
  std::size_t n = 0;
  bool done = false;
  m.ws->async_read_some(net::buffer(into, capacity), [&](beast::error_code e, std::size_t bytes) {
    ec = e;
    n = bytes;
    done = true;
  });
  m.run_while([&] { return !done; });
  if (ec) return m.failure("reading from", ec);
  if (m.write_error) return m.failure("writing to", m.write_error);
  return Part{n, m.ws->is_message_done()};
}

void WebSocketClient::interrupt() {
  impl_->interrupted = true;
  net::post(impl_->ioc, [m = impl_.get()] {
    if (m->ws) beast::get_lowest_layer(*m->ws).cancel();
  });
}

void WebSocketClient::close() {
  Impl& m = *impl_;
  if (!m.check_usable("closing").is_ok()) return;
  bool done = false;
  m.ws->async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  m.run_while([&] { return !done; });
}

}  // namespace trafficdb
