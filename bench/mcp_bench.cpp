// MCP tool-call latency over stdio, as an agent's client sees it.
//
// Starts `trafficdb --db DB mcp` as a child with pipes, initializes, then
// times N calls each of peek_exchanges (50 items, from random cursors),
// filter_exchanges (a few filters in turn) and get_exchange (random ids):
// from writing the request line to reading the response line. Prints
// p50/p99/max per tool, the size in bytes of a typical 50-item peek page, the
// reproduce line and a JSON line ({"bench":"mcp",...}).
// Use the 1M-exchange store query_bench builds:
//   ./build/bench/query_bench --db /tmp/q.db --reuse   # once (builds it)
//   ./build/bench/mcp_bench --db /tmp/q.db --calls 500
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <random>
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

class StdioPeer {
 public:
  explicit StdioPeer(const std::vector<std::string>& args) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[1]);
      close(from_child[0]);
      std::vector<char*> argv;
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    in_ = fdopen(to_child[1], "w");
    out_ = fdopen(from_child[0], "r");
  }
  ~StdioPeer() {
    fclose(in_);  // the server exits when stdin closes
    int status = 0;
    waitpid(pid_, &status, 0);
    fclose(out_);
  }
  // Sends one request and returns its response line (skipping notifications).
  std::string call(const json& request) {
    const std::string line = request.dump() + "\n";
    fwrite(line.data(), 1, line.size(), in_);
    fflush(in_);
    std::string reply;
    while (true) {
      reply.clear();
      int c;
      while ((c = fgetc(out_)) != EOF && c != '\n') reply.push_back(static_cast<char>(c));
      if (c == EOF) throw std::runtime_error("the server closed its output");
      if (reply.find("\"id\"") != std::string::npos) return reply;
    }
  }

 private:
  pid_t pid_ = -1;
  FILE* in_ = nullptr;
  FILE* out_ = nullptr;
};

int run(const std::string& db, std::uint64_t calls, const Args& args) {
  StdioPeer peer({TRAFFICDB_BINARY, "--db", db, "mcp"});
  int id = 0;
  auto request = [&](const std::string& method, json params) {
    return json{{"jsonrpc", "2.0"}, {"id", ++id}, {"method", method}, {"params", std::move(params)}};
  };
  peer.call(request("initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object()},
                                   {"clientInfo", {{"name", "mcp_bench"}, {"version", "1"}}}}));
  const json stats = json::parse(peer.call(request(
      "tools/call", {{"name", "run_sql"}, {"arguments", {{"sql", "SELECT min(id), max(id) FROM exchanges"}}}})));
  const auto range = stats["result"]["structuredContent"]["rows"][0];
  const std::int64_t low = range[0].get<std::int64_t>(), high = range[1].get<std::int64_t>();
  std::cout << "store: ids " << low << ".." << high << "\n";

  std::mt19937_64 rng(1);
  std::uniform_int_distribution<std::int64_t> any_id(low, high);
  const std::vector<json> filters = {{{"status", "5xx"}},
                                     {{"host", "*.example.com"}, {"method", "POST"}},
                                     {{"path_prefix", "/api/"}, {"newest_first", true}},
                                     {{"min_duration_ms", 500}}};
  struct ToolTimes {
    std::string tool;
    std::vector<double> ms;
  };
  std::vector<ToolTimes> series = {{"peek_exchanges", {}}, {"filter_exchanges", {}}, {"get_exchange", {}}};
  std::size_t peek_page_bytes = 0;
  for (std::uint64_t i = 0; i < calls; ++i) {
    for (ToolTimes& s : series) {
      json arguments;
      if (s.tool == "peek_exchanges") arguments = {{"cursor", any_id(rng) - 1}, {"limit", 50}};
      else if (s.tool == "filter_exchanges") arguments = filters[static_cast<std::size_t>(i) % filters.size()];
      else arguments = {{"id", any_id(rng)}};
      const json req = request("tools/call", {{"name", s.tool}, {"arguments", arguments}});
      const auto start = Clock::now();
      const std::string reply = peer.call(req);
      s.ms.push_back(seconds_since(start) * 1000);
      if (s.tool == "peek_exchanges" && i == 0) peek_page_bytes = reply.size();
      if (reply.find("\"isError\":true") != std::string::npos) std::cerr << s.tool << " failed: " << reply << "\n";
    }
  }
  Report report("mcp", args);
  report.json().integer("calls", calls).integer("low_id", low).integer("high_id", high);
  for (const ToolTimes& s : series) {
    const double p50 = percentile(s.ms, 0.5), p99 = percentile(s.ms, 0.99), max = percentile(s.ms, 1.0);
    std::printf("%-17s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%llu calls)\n", s.tool.c_str(), p50, p99, max,
                static_cast<unsigned long long>(calls));
    report.json().number(s.tool + "_p50_ms", p50, 3).number(s.tool + "_p99_ms", p99, 3).number(s.tool + "_max_ms", max, 3);
  }
  std::printf("a 50-item peek page: %zu bytes on the wire (JSON-RPC response line)\n", peek_page_bytes);
  std::fflush(stdout);
  report.json().integer("peek_page_bytes", peek_page_bytes);
  report.finish();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db;
  std::uint64_t calls = 300;
  Args args("mcp_bench", "MCP tool-call latency over stdio on an existing store (e.g. the one query_bench builds).\n");
  args.text("--db PATH", db, "the database (e.g. the one query_bench builds)")
      .required()
      .existing_file()
      .number("--calls N", calls, "calls per tool", 1)
      .epilog("trafficdb binary: " TRAFFICDB_BINARY "\n");
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
  try {
    return run(db, calls, args);
  } catch (const std::exception& e) {
    std::cerr << "mcp_bench: " << e.what() << "\n";
    return 1;
  }
}
