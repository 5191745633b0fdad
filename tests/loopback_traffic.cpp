#include "tests/loopback_traffic.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "tests/test_support.h"

namespace trafficdb::test {

namespace {

std::string describe(const PlannedRequest& r) { return r.method + " " + r.target; }

int run_curl(const PlannedConnection& connection, int port, const std::string& work_dir) {
  std::vector<std::string> argv{"curl"};
  const auto& requests = connection.requests;
  const auto output = [&](std::size_t i) { return work_dir + "/curl-response-" + std::to_string(i); };
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const PlannedRequest& r = requests[i];
    if (i > 0) argv.push_back("--next");
    std::filesystem::remove(output(i));  // curl may leave it alone when the body is empty
    argv.insert(argv.end(), {"-sS", "-o", output(i), "-w", "%{http_code} %{local_port}\\n"});
    if (r.method == "HEAD") argv.push_back("-I");
    if (r.method == "POST") {
      const std::string body_file = work_dir + "/curl-request-" + std::to_string(i);
      write_file(body_file, r.body);
      argv.insert(argv.end(), {"--data-binary", "@" + body_file});
    }
    for (const auto& [name, value] : r.headers) argv.insert(argv.end(), {"-H", name + ": " + value});
    if (r.accept_gzip) argv.push_back("--compressed");
    argv.push_back("http://127.0.0.1:" + std::to_string(port) + r.target);
  }
  const CommandResult result = run_command(argv);
  if (result.exit_code != 0) throw std::runtime_error("curl failed: " + result.err);

  std::istringstream written(result.out);
  int client_port = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const PlannedRequest& r = requests[i];
    int status = 0, local_port = 0;
    written >> status >> local_port;
    if (status != r.status)
      throw std::runtime_error("curl got status " + std::to_string(status) + " for " + describe(r));
    if (r.method != "HEAD" && read_file(output(i)) != r.response_body)
      throw std::runtime_error("curl got another body for " + describe(r));
    if (i > 0 && local_port != client_port)
      throw std::runtime_error("curl opened a second connection for " + describe(r));
    client_port = local_port;
  }
  return client_port;
}

// A socket closed when it goes out of scope.
class Socket {
 public:
  Socket() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("cannot open a socket");
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int run_pipelining(const PlannedConnection& connection, int port) {
  const std::string host = "127.0.0.1:" + std::to_string(port);
  std::string requests;
  for (std::size_t i = 0; i < connection.requests.size(); ++i) {
    const PlannedRequest& r = connection.requests[i];
    if (!r.body.empty()) throw std::runtime_error("the pipelining client sends no bodies: " + describe(r));
    requests += r.method + " " + r.target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    for (const auto& [name, value] : r.headers) requests += name + ": " + value + "\r\n";
    if (i + 1 == connection.requests.size()) requests += "Connection: close\r\n";
    requests += "\r\n";
  }

  Socket s;
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<std::uint16_t>(port));
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s.fd(), reinterpret_cast<sockaddr*>(&server), sizeof server) != 0)
    throw std::runtime_error("cannot connect to " + host);
  const timeval timeout{10, 0};
  setsockopt(s.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (send(s.fd(), requests.data(), requests.size(), 0) != static_cast<ssize_t>(requests.size()))
    throw std::runtime_error("the pipelined requests did not go out in one send()");

  std::string responses;
  char buffer[65536];
  for (ssize_t got; (got = recv(s.fd(), buffer, sizeof buffer, 0)) != 0; responses.append(buffer, got))
    if (got < 0) throw std::runtime_error("no end to the pipelined responses from " + host);
  std::size_t at = 0;
  for (const PlannedRequest& r : connection.requests) {
    at = responses.find("HTTP/1.1 " + std::to_string(r.status) + " ", at);
    if (at == std::string::npos)
      throw std::runtime_error("no status " + std::to_string(r.status) + " for " + describe(r));
    ++at;
  }

  sockaddr_in local{};
  socklen_t size = sizeof local;
  getsockname(s.fd(), reinterpret_cast<sockaddr*>(&local), &size);
  return ntohs(local.sin_port);
}

}  // namespace

int run_connection(const PlannedConnection& connection, int port, const std::string& work_dir) {
  return connection.client == Client::curl ? run_curl(connection, port, work_dir) : run_pipelining(connection, port);
}

}  // namespace trafficdb::test
