#include "tls_capture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "child_process.h"

namespace bench::tls_workload {
namespace {

namespace fs = std::filesystem;

int spawn(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::FILE* out = std::freopen(log.c_str(), "w", stdout);
    (void)out;
    ::dup2(fileno(stdout), 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void stop(int pid, int signal) {
  if (pid <= 0) return;
  ::kill(pid, signal);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

bool ok(const std::vector<std::string>& argv, const std::string& log) { return run_child(argv, log).exit_code == 0; }

// A port on 127.0.0.1 that was free a moment ago.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool wait_for(const std::string& path, const std::string& text, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(path, 1 << 20).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// API-sized JSON documents, 200 B to 3 KB.
void write_items(const fs::path& www, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 50; ++i) {
    std::ostringstream doc;
    doc << "{\"id\":" << i << ",\"name\":\"item " << i << "\",\"price\":" << (rng() % 10000) / 100.0
        << ",\"tags\":[\"a\",\"b\"],\"description\":\"" << std::string(150 + rng() % 2800, 'x') << "\"}";
    std::ofstream(www / ("item" + std::to_string(i) + ".json")) << doc.str();
  }
}

}  // namespace

std::string peers_missing() {
  if (::geteuid() != 0) return "capturing on lo needs root";
  for (const char* program : {"nginx", "curl", "openssl", "tcpdump"})
    if (::system((std::string("command -v ") + program + " >/dev/null 2>&1").c_str()) != 0)
      return std::string(program) + " is not installed";
  return "";
}

CaptureResult make_capture(const std::string& pcap, const std::string& keylog, const CaptureOptions& o) {
  const fs::path dir = fs::temp_directory_path() / ("trafficdb-tls-capture-" + std::to_string(::getpid()));
  fs::create_directories(dir / "www");
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  const std::string d = dir.string();
  const std::string log = d + "/log";
  write_items(dir / "www", o.seed);
  if (!ok({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/key.pem", "-out",
           d + "/cert.pem", "-days", "2", "-subj", "/CN=localhost"},
          log))
    throw std::runtime_error("openssl req failed: " + read_text(log, 4096));
  const int port = free_port();
  std::ofstream(d + "/nginx.conf")
      << "worker_processes 1;\ndaemon off;\nuser root;\npid " << d << "/nginx.pid;\nerror_log " << d
      << "/error.log;\nevents { worker_connections 256; }\nhttp {\n  access_log " << d << "/access.log;\n"
      << "  client_body_temp_path " << d << "/body;\n  proxy_temp_path " << d << "/proxy;\n  fastcgi_temp_path " << d
      << "/fcgi;\n  uwsgi_temp_path " << d << "/uwsgi;\n  scgi_temp_path " << d << "/scgi;\n"
      << "  server {\n    listen 127.0.0.1:" << port << " ssl http2;\n    ssl_certificate " << d
      << "/cert.pem;\n    ssl_certificate_key " << d << "/key.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;\n"
      << "    keepalive_requests 1000000;\n    http2_max_requests 1000000;\n    root " << d << "/www;\n  }\n}\n";
  const int nginx = spawn({"nginx", "-c", d + "/nginx.conf"}, d + "/nginx.out");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int tcpdump = spawn({"tcpdump", "-i", "lo", "-U", "--immediate-mode", "-B", "262144", "-s", "0", "-Z", "root",
                             "-w", pcap, "tcp port " + std::to_string(port)},
                            d + "/tcpdump.err");
  if (!wait_for(d + "/tcpdump.err", "listening on lo", std::chrono::seconds(10))) {
    stop(tcpdump, SIGKILL);
    stop(nginx, SIGQUIT);
    throw std::runtime_error("tcpdump did not start: " + read_text(d + "/tcpdump.err", 4096));
  }
  std::remove(keylog.c_str());
  CaptureResult result;
  std::mt19937_64 rng(o.seed);
  for (std::uint64_t c = 0; c < o.connections; ++c) {
    const std::uint64_t n = o.exchanges / o.connections + (c < o.exchanges % o.connections ? 1 : 0);
    std::ofstream urls(d + "/urls");
    for (std::uint64_t i = 0; i < n; ++i)
      urls << "url = \"https://localhost:" << port << "/item" << rng() % 50 << ".json\"\noutput = \"/dev/null\"\n";
    urls.close();
    std::vector<std::string> argv = {"env", "SSLKEYLOGFILE=" + keylog, "curl", "-sSk", "-K", d + "/urls",
                                     c % 2 == 0 ? "--http2" : "--http1.1"};
    if (c >= o.connections / 2) argv.insert(argv.end(), {"--tls-max", "1.2"});
    if (!ok(argv, log)) {
      stop(tcpdump, SIGINT);
      stop(nginx, SIGQUIT);
      throw std::runtime_error("curl failed: " + read_text(log, 4096));
    }
    result.requests += n;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop(tcpdump, SIGINT);
  stop(nginx, SIGQUIT);
  const std::string stats = read_text(d + "/tcpdump.err", 1 << 16);
  if (const std::size_t at = stats.find(" packets dropped by kernel"); at != std::string::npos) {
    const std::size_t start = stats.rfind('\n', at) + 1;
    result.kernel_dropped = std::stoull(stats.substr(start, at - start));
  }
  std::ifstream access(d + "/access.log");
  for (std::string line; std::getline(access, line);) ++result.logged;
  return result;
}

}  // namespace bench::tls_workload
