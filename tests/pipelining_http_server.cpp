#include "tests/pipelining_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace trafficdb::test {

namespace {

constexpr int kIoTimeoutMs = 5000;

// A connection's bytes, read ahead into a buffer that lasts as long as the connection.
class ConnectionStream : public httplib::Stream {
 public:
  explicit ConnectionStream(socket_t sock) : sock_(sock) {}

  bool readable_within(int timeout_ms) const {
    pollfd p{sock_, POLLIN, 0};
    return next_ < buffered_.size() || poll(&p, 1, timeout_ms) > 0;
  }
  bool is_readable() const override { return readable_within(kIoTimeoutMs); }
  bool is_writable() const override {
    pollfd p{sock_, POLLOUT, 0};
    return poll(&p, 1, kIoTimeoutMs) > 0;
  }
  ssize_t read(char* ptr, std::size_t size) override {
    if (next_ == buffered_.size()) {
      if (!is_readable()) return -1;
      char chunk[65536];
      const ssize_t got = recv(sock_, chunk, sizeof chunk, 0);
      if (got <= 0) return got;
      buffered_.assign(chunk, static_cast<std::size_t>(got));
      next_ = 0;
    }
    const std::size_t n = std::min(size, buffered_.size() - next_);
    std::memcpy(ptr, buffered_.data() + next_, n);
    next_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, std::size_t size) override {
    for (std::size_t sent = 0; sent < size;) {
      const ssize_t n = send(sock_, ptr + sent, size - sent, MSG_NOSIGNAL);
      if (n <= 0) return -1;
      sent += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { address(getpeername, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address(getsockname, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  void address(int (*get)(int, sockaddr*, socklen_t*), std::string& ip, int& port) const {
    sockaddr_in a{};
    socklen_t size = sizeof a;
    get(sock_, reinterpret_cast<sockaddr*>(&a), &size);
    char text[INET_ADDRSTRLEN] = "";
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    ip = text;
    port = ntohs(a.sin_port);
  }

  socket_t sock_;
  std::string buffered_;
  std::size_t next_ = 0;
};

}  // namespace

bool PipeliningHttpServer::process_and_close_socket(socket_t sock) {
  ConnectionStream stream(sock);
  // Like httplib: wait up to the keep-alive timeout for each next request,
  // give up when the server stops, close after the last allowed request.
  const auto next_request_arrives = [&] {
    for (time_t waited_ms = 0; waited_ms < keep_alive_timeout_sec_ * 1000; waited_ms += 10) {
      if (svr_sock_ == INVALID_SOCKET) return false;
      if (stream.readable_within(10)) return true;
    }
    return false;
  };
  bool ok = true;
  for (std::size_t left = keep_alive_max_count_; ok && left > 0 && next_request_arrives(); --left) {
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr) && !closed;
  }
  shutdown(sock, SHUT_RDWR);
  close(sock);
  return ok;
}

}  // namespace trafficdb::test
