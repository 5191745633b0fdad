// The web UI's API latency (trafficdb ui, docs/ui.md) on an existing store,
// as the page sees it: the exchanges page's first rows (newest first and
// oldest first), each filter change the filter bar makes (host, status,
// method, path prefix, session, time range, errors, combined), the next page
// by cursor, one exchange's detail, and the sessions list. Starts
// `trafficdb --db DB ui` as a child, times N rounds of each call over
// loopback HTTP (cpp-httplib's client; the time includes the request and
// the response's transfer, so it bounds the server's time from above), and
// prints p50/p99/max per call and whether each p99 is under --budget-ms.
// Use a COPY of the 1M-exchange store query_bench builds (the server opens
// it read-write to check its schema):
//   cp /tmp/q.db /tmp/q-ui.db && ./build/bench/ui_bench --db /tmp/q-ui.db --rounds 50
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#ifndef TRAFFICDB_BINARY
#error "TRAFFICDB_BINARY must name the trafficdb executable (set by bench/CMakeLists.txt)"
#endif

#include "bench_args.h"
#include "bench_report.h"

using json = nlohmann::json;
using namespace bench;

namespace {

// `trafficdb --db DB ui` on a free port; the URL is its first stdout line.
class UiServer {
 public:
  explicit UiServer(const std::string& db) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      execl(TRAFFICDB_BINARY, TRAFFICDB_BINARY, "--db", db.c_str(), "ui", "--http", "127.0.0.1:0",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[512];
    if (!fgets(line, sizeof line, f)) throw std::runtime_error("trafficdb ui printed no URL (see its stderr)");
    fclose(f);
    std::string url(line);
    const std::size_t colon = url.rfind(':');
    port_ = std::stoi(url.substr(colon + 1));
  }
  ~UiServer() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

struct Case {
  std::string name;
  std::string path;  // with its query string
};

}  // namespace

int main(int argc, char** argv) {
  std::string db;
  std::uint64_t rounds = 30, budget_ms = 100;
  Args args("ui_bench", "Times the web UI's API calls (exchanges page, filter changes, detail) on an existing store.\n");
  args.text("--db PATH", db, "the store (a copy: the server opens it read-write)").required().existing_file()
      .number("--rounds N", rounds, "times each call is made", 1, 100000)
      .number("--budget-ms MS", budget_ms, "the p99 each exchanges-page call should stay under", 1, 100000);
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;

  UiServer server(db);
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(60, 0);
  const auto get = [&](const std::string& path) {
    auto res = client.Get(path);
    if (!res || res->status != 200)
      throw std::runtime_error("GET " + path + ": " + (res ? std::to_string(res->status) + " " + res->body : "no answer"));
    return res->body;
  };

  // Ids for the cursor and detail cases, from the first page.
  const json first = json::parse(get("/api/exchanges?limit=100"));
  const std::int64_t cursor = first.at("next_cursor").get<std::int64_t>();
  const std::int64_t some_id = first.at("items").at(50).at("id").get<std::int64_t>();
  const json sessions = json::parse(get("/api/sessions"));
  const std::int64_t session = sessions.at("sessions").at(0).at("id").get<std::int64_t>();

  const std::vector<Case> page_cases = {
      {"first page, newest first", "/api/exchanges?limit=100"},
      {"first page, oldest first", "/api/exchanges?limit=100&order=oldest"},
      {"next page by cursor", "/api/exchanges?limit=100&cursor=" + std::to_string(cursor)},
      {"filter host", "/api/exchanges?limit=100&host=api.example.com"},
      {"filter host *.example.io", "/api/exchanges?limit=100&host=*.example.io"},
      {"filter status 5xx", "/api/exchanges?limit=100&status=5xx"},
      {"filter method POST", "/api/exchanges?limit=100&method=POST"},
      {"filter path_prefix", "/api/exchanges?limit=100&path_prefix=/v1/orders"},
      {"filter session", "/api/exchanges?limit=100&session_id=" + std::to_string(session)},
      {"filter since 2h", "/api/exchanges?limit=100&since=2h"},
      {"filter has_error", "/api/exchanges?limit=100&has_error=true"},
      {"filter host+status+method", "/api/exchanges?limit=100&host=api.example.com&status=4xx&method=GET"},
      {"filter resp type json", "/api/exchanges?limit=100&resp_content_type=application/json"},
  };
  const std::vector<Case> other_cases = {
      {"exchange detail", "/api/exchanges/" + std::to_string(some_id)},
      {"sessions", "/api/sessions"},
  };

  Report report("ui", args);
  json results = json::object();
  bool within_budget = true;
  const auto measure = [&](const Case& c, bool budgeted) {
    std::vector<double> ms;
    std::size_t bytes = 0;
    for (std::uint64_t i = 0; i < rounds; ++i) {
      const auto start = Clock::now();
      bytes = get(c.path).size();
      ms.push_back(seconds_since(start) * 1000);
    }
    const double p50 = percentile(ms, 0.5), p99 = percentile(ms, 0.99), max = percentile(ms, 1.0);
    const bool ok = !budgeted || p99 < static_cast<double>(budget_ms);
    within_budget = within_budget && ok;
    std::printf("%-28s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  %7zu bytes%s\n", c.name.c_str(), p50, p99, max, bytes,
                budgeted ? (ok ? "" : "  OVER BUDGET") : "");
    results[c.name] = {{"p50_ms", p50}, {"p99_ms", p99}, {"max_ms", max}, {"bytes", bytes}};
  };
  std::printf("%llu rounds each, over loopback HTTP; budget for the exchanges page: p99 < %llu ms\n",
              static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(budget_ms));
  for (const Case& c : page_cases) measure(c, true);
  for (const Case& c : other_cases) measure(c, false);
  std::printf("exchanges page within budget: %s\n", within_budget ? "yes" : "NO");
  report.json().integer("rounds", rounds).integer("budget_ms", budget_ms).boolean("within_budget", within_budget)
      .raw("calls", results.dump());
  report.finish();
  return within_budget ? 0 : 1;
}
