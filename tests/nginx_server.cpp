#include "tests/nginx_server.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace trafficdb::test {
namespace {

constexpr const char* kReadyPath = "/__ready";  // the start-up probes: not in log()

bool port_answers(int port) {
  return run_command({"curl", "-s", "-o", "/dev/null", "--max-time", "1", "--http2-prior-knowledge",
                      "http://127.0.0.1:" + std::to_string(port) + kReadyPath})
             .exit_code == 0;
}

}  // namespace

std::string nginx_unavailable() {
  if (run_command({"nginx", "-v"}).exit_code != 0) return "nginx is not installed (Debian's nginx-light)";
  if (run_command({"openssl", "version"}).exit_code != 0) return "openssl is not installed";
  if (run_command({"curl", "--version"}).exit_code != 0) return "curl is not installed";
  return "";
}

NginxServer::NginxServer() : tls_port_(free_port()), h2c_port_(free_port()) {
  const std::string d = dir_.path();
  std::filesystem::create_directories(d + "/www/upload");
  ::chmod((d + "/www").c_str(), 0777);
  ::chmod((d + "/www/upload").c_str(), 0777);
  const CommandResult cert =
      run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/key.pem", "-out",
                   d + "/cert.pem", "-days", "2", "-subj", "/CN=localhost"});
  if (cert.exit_code != 0) throw std::runtime_error("openssl req failed: " + cert.err);
  std::ostringstream conf;
  conf << "worker_processes 1;\ndaemon off;\nuser root;\npid " << d << "/nginx.pid;\nerror_log " << d
       << "/error.log;\nevents { worker_connections 256; }\nhttp {\n"
       << "  log_format trafficdb '$request_method $request_uri $status $body_bytes_sent $server_protocol "
          "$request_length';\n"
       << "  access_log " << d << "/access.log trafficdb;\n";
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    conf << "  " << temp << "_temp_path " << d << "/" << temp << ";\n";
  const std::string common = "    root " + d +
                             "/www;\n    gzip on; gzip_min_length 20; gzip_types text/plain application/json;\n"
                             "    client_max_body_size 64m;\n    keepalive_requests 100000;\n"
                             "    location /upload/ { dav_methods PUT; create_full_put_path on; }\n"
                             "    location = /pushing.json { http2_push /pushed.json; }\n";
  conf << "  server {\n    listen 127.0.0.1:" << tls_port_ << " ssl http2;\n    ssl_certificate " << d
       << "/cert.pem;\n    ssl_certificate_key " << d << "/key.pem;\n"
       << "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers ALL;\n" << common << "  }\n";
  conf << "  server {\n    listen 127.0.0.1:" << h2c_port_ << " http2;\n" << common << "  }\n}\n";
  write_file(d + "/nginx.conf", conf.str());
  nginx_ = std::make_unique<RunningProcess>(std::vector<std::string>{"nginx", "-c", d + "/nginx.conf"},
                                            std::vector<std::string>{}, d + "/nginx.out", d + "/nginx.err");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!port_answers(h2c_port_)) {
    if (!nginx_->running() || std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("nginx did not start: " + nginx_->err() + read_file(d + "/error.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

NginxServer::~NginxServer() = default;

std::string NginxServer::https_url(const std::string& path) const {
  return "https://localhost:" + std::to_string(tls_port_) + path;
}

std::string NginxServer::h2c_url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(h2c_port_) + path;
}

void NginxServer::put_file(const std::string& name, const std::string& content) const {
  write_file(dir_.path() + "/www/" + name, content);
}

std::vector<NginxLogLine> NginxServer::log() const {
  std::vector<NginxLogLine> lines;
  std::istringstream in(read_file(dir_.path() + "/access.log"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    NginxLogLine l;
    fields >> l.method >> l.uri >> l.status >> l.body_bytes_sent >> l.protocol >> l.request_length;
    if (fields && l.uri != kReadyPath) lines.push_back(l);
  }
  return lines;
}

}  // namespace trafficdb::test
