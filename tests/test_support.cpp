#include "tests/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <zlib.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace trafficdb::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/trafficdb-test-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

SmallFilesystem::SmallFilesystem(std::size_t bytes) {
  if (::geteuid() != 0) return;
  mounted_ = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, ("size=" + std::to_string(bytes)).c_str()) == 0;
}

SmallFilesystem::~SmallFilesystem() {
  if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t start_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("spawn failed: " + std::string(strerror(rc)));
  return pid;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  TempDir dir;
  const std::string out_path = dir.file("stdout"), err_path = dir.file("stderr");
  CommandResult result;
  pid_t pid = 0;
  try {
    pid = start_process(argv, env, out_path, err_path);
  } catch (const std::runtime_error& e) {
    result.err = e.what();
    return result;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

CommandResult run_trafficdb(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv{TRAFFICDB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, env);
}

std::string shared_samples_dir() {
  const std::string dir = std::string(TRAFFICDB_SOURCE_DIR) + "/../shared/samples";
  return std::filesystem::is_directory(dir) ? dir : "";
}

void skip_test(const std::string& why) {
  std::cout << "SKIPPED: " << why << "\n";
  if (std::getenv("TRAFFICDB_TEST_UNDER_CTEST")) std::exit(77);
  WARN("skipped: " << why);
}

std::string require_shared_samples() {
  std::string dir = shared_samples_dir();
  if (dir.empty()) skip_test("../shared/samples is not beside the checkout; this test needs its captures");
  return dir;
}

std::string gzip(const std::string& input) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, input.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Exchange make_exchange(int n, const std::string& response_body) {
  Exchange e;
  e.request.method = n % 3 == 0 ? "POST" : "GET";
  e.request.scheme = "https";
  e.request.host = "api" + std::to_string(n % 4) + ".example.com";
  e.request.port = 443;
  e.request.path = "/v1/items/" + std::to_string(n);
  e.request.query = n % 2 ? std::optional<std::string>("page=" + std::to_string(n)) : std::nullopt;
  e.request.url = "https://" + e.request.host + e.request.path + (e.request.query ? "?" + *e.request.query : "");
  e.request.http_version = "HTTP/1.1";
  e.request.headers = {{"Host", e.request.host}, {"Accept", "application/json"}};
  if (e.request.method == "POST") {
    e.request.headers.push_back({"Content-Type", "application/json"});
    e.request.body.data = "{\"n\":" + std::to_string(n) + "}";
  }
  Response r;
  r.status = n % 10 == 9 ? 500 : 200;
  r.status_text = r.status == 200 ? "OK" : "Internal Server Error";
  r.http_version = "HTTP/1.1";
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}};
  r.body.data = response_body;
  e.response = std::move(r);
  e.timings.started = 1'700'000'000'000'000 + n * 1000;
  e.timings.ended = *e.timings.started + 2500;
  e.client_addr = "127.0.0.1:5000";
  e.server_addr = "10.0.0.1:443";
  e.source_key = "test:" + std::to_string(n);
  return e;
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace trafficdb::test
