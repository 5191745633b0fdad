// httptoolkit_bench: `trafficdb record httptoolkit` recording N requests
// sent through a real Mockttp proxy (the engine HTTP Toolkit runs): how many
// exchanges per second it records, whether it lost any, and what it costs
// in CPU and memory next to Mockttp itself.
//
// 1. Starts the Node peers of tests/node/ (they need node and
//    tests/node/node_modules): an upstream HTTP server and a Mockttp admin
//    server, each its own process.
// 2. Starts `trafficdb --db <fresh temp db> record httptoolkit --listen P`
//    (posix_spawn) and waits until it records.
// 3. Sends N requests through the proxy from C client threads, each on one
//    kept-alive connection (cpp-httplib): POSTs with a B-byte body, and GETs
//    for one in four. Timed.
// 4. Waits until the database holds N exchanges (polling read-only), then
//    stops the recorder (SIGTERM) and reads its CPU time and peak RSS from
//    wait4; Mockttp's and the upstream's CPU time come from /proc.
// 5. Checks the rows (count, errors, statuses, body sizes) and prints a
//    summary, the reproduce line and a JSON line ({"bench":"httptoolkit",...}).
// See bench/README.md.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <httplib.h>

#ifndef TRAFFICDB_BINARY
#error "TRAFFICDB_BINARY must name the trafficdb executable (set by bench/CMakeLists.txt)"
#endif

#include "bench_args.h"
#include "bench_report.h"
#include "child_process.h"
#include "scratch_files.h"

extern char** environ;

using namespace bench;

namespace {

struct Options {
  std::uint64_t requests = 20000;
  std::uint64_t concurrency = 8;
  std::uint64_t body_bytes = 1024;
  bool keep = false;
};

// A child process measured when it ends: CPU time and peak RSS from wait4.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& log_path) : log_(log_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
  }
  ~Child() {
    if (!ended_) end(SIGKILL);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Waits (up to `timeout`) for `text` in its output.
  void wait_for(const std::string& text, std::chrono::seconds timeout) const {
    const auto deadline = Clock::now() + timeout;
    while (read_text(log_, 1 << 20).find(text) == std::string::npos) {
      if (Clock::now() > deadline) throw std::runtime_error("timed out waiting for '" + text + "' in " + log_);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::string output() const { return read_text(log_, 1 << 20); }

  // CPU seconds (user + system) so far, from /proc.
  double cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string f;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14) utime = std::stoull(f);
      if (i == 15) stime = std::stoull(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  struct End {
    int status = -1;
    double cpu_seconds = 0;
    double peak_rss_mb = 0;
  };
  End end(int signal) {
    kill(pid_, signal);
    int status = 0;
    rusage ru{};
    wait4(pid_, &status, 0, &ru);
    ended_ = true;
    End e;
    e.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    e.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    e.peak_rss_mb = static_cast<double>(ru.ru_maxrss) * 1024 / 1e6;
    return e;
  }

 private:
  pid_t pid_ = -1;
  std::string log_;
  bool ended_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                     getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!bound) throw std::runtime_error("no free port");
  return ntohs(addr.sin_port);
}

std::int64_t count_rows(const std::string& db, const char* sql) {
  try {
    SQLite::Database d(db, SQLite::OPEN_READONLY);
    d.setBusyTimeout(2000);
    SQLite::Statement q(d, sql);
    return q.executeStep() ? q.getColumn(0).getInt64() : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

struct Load {
  std::uint64_t ok = 0, failed = 0;
  double seconds = 0;
  std::string first_error;
};

// `requests` through the proxy at `proxy_port` to the upstream, from
// `concurrency` threads with one kept-alive connection each.
Load send_load(const Options& o, int proxy_port, int upstream_port) {
  std::atomic<std::uint64_t> next{0}, ok{0}, failed{0};
  std::mutex error_mu;
  std::string first_error;
  const std::string body(o.body_bytes, 'b');
  const std::string expected = "got " + std::to_string(o.body_bytes);
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (std::uint64_t t = 0; t < o.concurrency; ++t) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", upstream_port);
      client.set_proxy("127.0.0.1", proxy_port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // headers and body go in two writes: no Nagle delay between them
      client.set_read_timeout(std::chrono::seconds(30));
      for (std::uint64_t i; (i = next.fetch_add(1)) < o.requests;) {
        const std::string path = "/bench/" + std::to_string(i) + "?n=" + std::to_string(i % 97);
        auto res = i % 4 == 3 ? client.Get(path) : client.Post(path, body, "application/octet-stream");
        const bool good = res && res->status == 201 && res->body == (i % 4 == 3 ? "got 0" : expected);
        (good ? ok : failed).fetch_add(1);
        if (!good) {
          std::lock_guard lk(error_mu);
          if (first_error.empty())
            first_error = res ? "HTTP " + std::to_string(res->status) + ": " + res->body.substr(0, 200)
                              : httplib::to_string(res.error());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return {ok.load(), failed.load(), seconds_since(start), first_error};
}

int run(const Options& o, const Args& args) {
  const std::string node_dir = std::string(TRAFFICDB_SOURCE_DIR) + "/tests/node";
  if (!std::filesystem::is_directory(node_dir + "/node_modules/mockttp"))
    throw std::runtime_error("tests/node/node_modules is absent: run scripts/setup-node.sh");
  const std::filesystem::path dir = scratch_stem("htk-bench");
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "bench.db").string();
  remove_database(db);

  if (run_child({"node", node_dir + "/mockttp_make_ca.mjs", dir.string()}, (dir / "ca.log").string()).exit_code != 0)
    throw std::runtime_error("mockttp_make_ca.mjs failed (is node installed?): " + read_text((dir / "ca.log").string(), 4096));
  Child upstream({"node", node_dir + "/mockttp_upstream.mjs", dir.string()}, (dir / "upstream.log").string());
  upstream.wait_for("ready ", std::chrono::seconds(30));
  int upstream_port = 0;
  {
    std::istringstream ready(upstream.output());
    std::string word;
    ready >> word >> upstream_port;
  }
  const int admin_port = free_port();
  Child mockttp({"node", node_dir + "/mockttp_admin_server.mjs", std::to_string(admin_port)},
                (dir / "mockttp.log").string());
  mockttp.wait_for("ready " + std::to_string(admin_port), std::chrono::seconds(30));

  const int proxy_port = free_port();
  Child recorder({TRAFFICDB_BINARY, "--db", db, "record", "httptoolkit", "--admin",
                  "http://127.0.0.1:" + std::to_string(admin_port), "--listen", std::to_string(proxy_port)},
                 (dir / "recorder.log").string());
  recorder.wait_for("send traffic through the proxy", std::chrono::seconds(30));

  std::cout << "workload: " << o.requests << " requests through Mockttp's proxy from " << o.concurrency
            << " kept-alive connections; 3 in 4 POST " << o.body_bytes << "-byte bodies, 1 in 4 GET\n";
  const double mockttp_cpu_before = mockttp.cpu_seconds(), upstream_cpu_before = upstream.cpu_seconds();
  const auto start = Clock::now();
  const Load load = send_load(o, proxy_port, upstream_port);
  const double mockttp_cpu = mockttp.cpu_seconds() - mockttp_cpu_before;
  const double upstream_cpu = upstream.cpu_seconds() - upstream_cpu_before;

  // Every exchange is stored once its response event arrives: wait for them all.
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  std::int64_t stored = 0;
  while ((stored = count_rows(db, "SELECT count(*) FROM exchanges")) < static_cast<std::int64_t>(load.ok) &&
         Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const double recorded_seconds = seconds_since(start);
  const Child::End end = recorder.end(SIGTERM);
  (void)mockttp.end(SIGTERM);
  (void)upstream.end(SIGTERM);

  stored = count_rows(db, "SELECT count(*) FROM exchanges");
  const std::int64_t errors = count_rows(db, "SELECT count(*) FROM exchanges WHERE error IS NOT NULL");
  const std::int64_t whole = count_rows(
      db, "SELECT count(*) FROM exchanges WHERE status = 201 AND error IS NULL AND resp_body_id IS NOT NULL");
  const std::int64_t sent = static_cast<std::int64_t>(o.requests);
  const std::int64_t lost = sent - stored;
  const double exchanges_per_s = static_cast<double>(stored) / recorded_seconds;
  const double recorder_cpu_share = end.cpu_seconds / recorded_seconds;
  const double mockttp_cpu_share = mockttp_cpu / load.seconds;

  std::cout << "client: " << load.ok << " answered, " << load.failed << " failed in " << fixed(load.seconds, 2)
            << " s (" << fixed(static_cast<double>(load.ok) / load.seconds, 0) << " requests/s)"
            << (load.first_error.empty() ? "" : "; first failure: " + load.first_error) << "\n";
  std::cout << "recorded: " << stored << " of " << sent << " exchanges (" << lost << " lost, " << errors
            << " with an error, " << whole << " whole 201s) in " << fixed(recorded_seconds, 2) << " s: "
            << fixed(exchanges_per_s, 0) << " exchanges/s; the last row came "
            << fixed(recorded_seconds - load.seconds, 3) << " s after the last response\n";
  std::cout << "recorder: " << fixed(end.cpu_seconds, 2) << " CPU s (" << fixed(100 * recorder_cpu_share, 0)
            << "% of one core), peak RSS " << fixed(end.peak_rss_mb, 1) << " MB, exit status " << end.status << "\n";
  std::cout << "Mockttp:  " << fixed(mockttp_cpu, 2) << " CPU s (" << fixed(100 * mockttp_cpu_share, 0)
            << "% of one core); the upstream: " << fixed(upstream_cpu, 2) << " CPU s\n";
  const bool bottleneck = end.cpu_seconds >= mockttp_cpu;
  std::cout << (lost == 0 && errors == 0 ? "nothing lost" : "LOST OR FAILED EXCHANGES") << "; the recorder "
            << (bottleneck ? "USED AS MUCH CPU AS MOCKTTP" : "used " + fixed(mockttp_cpu / std::max(end.cpu_seconds, 1e-3), 1) +
                                                              "x less CPU than Mockttp")
            << "\n";
  Report report("httptoolkit", args);
  report.json()
      .integer("requests", sent)
      .integer("concurrency", o.concurrency)
      .integer("body_bytes", o.body_bytes)
      .number("client_seconds", load.seconds, 3)
      .integer("client_failed", load.failed)
      .integer("stored", stored)
      .integer("lost", lost)
      .integer("errors", errors)
      .number("recorded_seconds", recorded_seconds, 3)
      .number("exchanges_per_s", exchanges_per_s, 1)
      .number("recorder_cpu_seconds", end.cpu_seconds, 3)
      .number("recorder_peak_rss_mb", end.peak_rss_mb, 1)
      .number("mockttp_cpu_seconds", mockttp_cpu, 3)
      .number("upstream_cpu_seconds", upstream_cpu, 3)
      .integer("recorder_exit", end.status);
  if (end.status != 0) show_log("the recorder", (dir / "recorder.log").string());
  if (!o.keep) std::filesystem::remove_all(dir);
  else std::cout << "kept " << dir.string() << "\n";
  report.finish();
  return lost == 0 && errors == 0 && load.failed == 0 && end.status == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  Args args("httptoolkit_bench",
            "Records N requests sent through a real Mockttp proxy with `trafficdb record httptoolkit`\n"
            "(the Node peers of tests/node/, which need node and tests/node/node_modules).\n");
  args.number("--requests N", o.requests, "requests to send", 1)
      .number("--concurrency C", o.concurrency, "client connections", 1, 256)
      .number("--body-bytes B", o.body_bytes, "body of each POST")
      .flag("--keep", o.keep, "keep the temporary directory (database, logs)")
      .epilog("trafficdb binary: " TRAFFICDB_BINARY "\n");
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
  try {
    return run(o, args);
  } catch (const std::exception& e) {
    std::cerr << "httptoolkit_bench: " << e.what() << "\n";
    return 2;
  }
}
