// MCP tool-call latency over stdio, as an agent's client sees it.
//
// Starts `trafficdb --db DB mcp` as a child with pipes, initializes, then
// times N calls each of peek_exchanges (50 items, from random cursors),
// filter_exchanges (a few filters in turn), get_exchange (random ids; whole,
// and headers only), diff_exchanges (random pairs), traffic_stats of one
// session, wait_for_exchange (a match already there) and, every 20th round,
// diff_sessions: from writing the request line to reading the response
// line. replay_exchange is timed on a store of its own (the big one is not
// changed): 50 exchanges imported from a HAR that points at a local HTTP
// server the bench runs, each call sending one again and storing it. Prints p50/p99/max and the median response size per tool, the
// reproduce line and a JSON line ({"bench":"mcp",...}).
// Use the 1M-exchange store query_bench builds:
//   ./build/bench/query_bench --db /tmp/q.db --reuse   # once (builds it)
//   ./build/bench/mcp_bench --db /tmp/q.db --calls 500
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#ifndef TRAFFICDB_BINARY
#error "TRAFFICDB_BINARY must name the trafficdb executable (set by bench/CMakeLists.txt)"
#endif

#include "bench_args.h"
#include "bench_report.h"
#include "scratch_files.h"

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

json initialize_request() {
  return json{{"jsonrpc", "2.0"},
              {"id", 0},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", "2025-11-25"},
                {"capabilities", json::object()},
                {"clientInfo", {{"name", "mcp_bench"}, {"version", "1"}}}}}};
}

// replay_exchange latency: a local HTTP server answering GET /items/N with
// a small JSON body, a fresh store of 50 exchanges imported from a HAR that
// points at it, and `calls` replays of them in turn. Milliseconds and reply
// bytes per call.
std::pair<std::vector<double>, std::vector<double>> replay_times(std::uint64_t calls) {
  httplib::Server server;
  server.Get(R"(/items/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("{\"id\":" + std::string(req.matches[1]) + ",\"name\":\"item\",\"tags\":[\"a\",\"b\"]}",
                    "application/json; charset=utf-8");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) throw std::runtime_error("cannot listen on 127.0.0.1 for the replay server");
  std::thread serving([&] { server.listen_after_bind(); });
  struct StopServer {
    httplib::Server& server;
    std::thread& thread;
    ~StopServer() {
      server.stop();
      thread.join();
    }
  } stop_server{server, serving};

  const std::string stem = scratch_stem("mcp-replay"), har = stem + ".har", db = stem + ".db";
  RemoveOnExit cleanup;
  cleanup.add(har);
  cleanup.add_database(db);
  json entries = json::array();
  const std::string origin = "127.0.0.1:" + std::to_string(port);
  for (int i = 1; i <= 50; ++i)
    entries.push_back(
        {{"startedDateTime", "2026-01-01T00:00:00Z"},
         {"time", 1},
         {"request",
          {{"method", "GET"}, {"url", "http://" + origin + "/items/" + std::to_string(i)}, {"httpVersion", "HTTP/1.1"},
           {"headers", {{{"name", "Host"}, {"value", origin}}, {{"name", "Accept"}, {"value", "application/json"}}}},
           {"queryString", json::array()}, {"cookies", json::array()}, {"headersSize", -1}, {"bodySize", 0}}},
         {"response",
          {{"status", 200}, {"statusText", "OK"}, {"httpVersion", "HTTP/1.1"}, {"headers", json::array()},
           {"cookies", json::array()}, {"content", {{"size", 0}, {"mimeType", "application/json"}}},
           {"redirectURL", ""}, {"headersSize", -1}, {"bodySize", 0}}},
         {"cache", json::object()},
         {"timings", {{"send", 0}, {"wait", 1}, {"receive", 0}}}});
  if (FILE* f = std::fopen(har.c_str(), "w")) {
    const std::string text = json{{"log", {{"version", "1.2"}, {"creator", {{"name", "mcp_bench"}, {"version", "1"}}},
                                           {"entries", entries}}}}.dump();
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  const std::string import = std::string(TRAFFICDB_BINARY) + " --db '" + db + "' import '" + har + "' >/dev/null";
  if (std::system(import.c_str()) != 0) throw std::runtime_error("importing the replay store failed: " + import);

  StdioPeer peer({TRAFFICDB_BINARY, "--db", db, "mcp", "--no-index"});
  peer.call(initialize_request());
  std::vector<double> ms, bytes;
  for (std::uint64_t i = 0; i < calls; ++i) {
    const json req = {{"jsonrpc", "2.0"},
                      {"id", static_cast<std::int64_t>(i + 1)},
                      {"method", "tools/call"},
                      {"params", {{"name", "replay_exchange"}, {"arguments", {{"id", 1 + i % 50}}}}}};
    const auto start = Clock::now();
    const std::string reply = peer.call(req);
    ms.push_back(seconds_since(start) * 1000);
    bytes.push_back(static_cast<double>(reply.size()));
    if (reply.find("\"isError\":true") != std::string::npos || reply.find("\"error\":\"") != std::string::npos)
      std::cerr << "replay_exchange failed: " << reply << "\n";
  }
  return {ms, bytes};
}

int run(const std::string& db, std::uint64_t calls, const Args& args) {
  StdioPeer peer({TRAFFICDB_BINARY, "--db", db, "mcp"});
  int id = 0;
  auto request = [&](const std::string& method, json params) {
    return json{{"jsonrpc", "2.0"}, {"id", ++id}, {"method", method}, {"params", std::move(params)}};
  };
  peer.call(initialize_request());
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
  // Each series: a label, the tool, how its arguments are made, and how
  // often it runs (every `every`-th round: the slow whole-session ones less).
  struct ToolTimes {
    ToolTimes(std::string label, std::string tool, std::function<json(std::uint64_t)> arguments,
              std::uint64_t every = 1)
        : label(std::move(label)), tool(std::move(tool)), arguments(std::move(arguments)), every(every) {}
    std::string label, tool;
    std::function<json(std::uint64_t)> arguments;
    std::uint64_t every = 1;
    std::vector<double> ms, bytes;
  };
  std::vector<ToolTimes> series = {
      {"peek_exchanges", "peek_exchanges", [&](std::uint64_t) { return json{{"cursor", any_id(rng) - 1}, {"limit", 50}}; }},
      {"filter_exchanges", "filter_exchanges", [&](std::uint64_t i) { return filters[i % filters.size()]; }},
      {"get_exchange", "get_exchange", [&](std::uint64_t) { return json{{"id", any_id(rng)}}; }},
      {"get_exchange_headers", "get_exchange",
       [&](std::uint64_t) {
         return json{{"id", any_id(rng)}, {"parts", json::array({"request_headers", "response_headers"})}};
       }},
      {"diff_exchanges", "diff_exchanges", [&](std::uint64_t) { return json{{"a", any_id(rng)}, {"b", any_id(rng)}}; }},
      {"traffic_stats_session", "traffic_stats",
       [&](std::uint64_t i) { return json{{"group_by", i % 2 ? "status" : "host"}, {"session_id", 1 + i % 4}}; }},
      {"wait_for_exchange", "wait_for_exchange",  // one is there already: the cost of the check
       [&](std::uint64_t) { return json{{"cursor", any_id(rng) - 1}, {"timeout_s", 1}, {"limit", 1}}; }},
      {"diff_sessions", "diff_sessions", [&](std::uint64_t i) { return json{{"a", 1 + i % 4}, {"b", 1 + (i + 1) % 4}}; },
       20},
  };
  for (std::uint64_t i = 0; i < calls; ++i) {
    for (ToolTimes& s : series) {
      if (i % s.every != 0) continue;
      const json req = request("tools/call", {{"name", s.tool}, {"arguments", s.arguments(i)}});
      const auto start = Clock::now();
      const std::string reply = peer.call(req);
      s.ms.push_back(seconds_since(start) * 1000);
      s.bytes.push_back(static_cast<double>(reply.size()));
      if (reply.find("\"isError\":true") != std::string::npos) std::cerr << s.label << " failed: " << reply << "\n";
    }
  }
  ToolTimes& replay = series.emplace_back("replay_exchange", "replay_exchange", nullptr);
  std::tie(replay.ms, replay.bytes) = replay_times(calls);
  const std::size_t peek_page_bytes = static_cast<std::size_t>(percentile(series[0].bytes, 0.5));
  Report report("mcp", args);
  report.json().integer("calls", calls).integer("low_id", low).integer("high_id", high);
  for (const ToolTimes& s : series) {
    const double p50 = percentile(s.ms, 0.5), p99 = percentile(s.ms, 0.99), max = percentile(s.ms, 1.0);
    const double bytes = percentile(s.bytes, 0.5);
    std::printf("%-22s p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  %7.0f bytes (median)  (%zu calls)\n",
                s.label.c_str(), p50, p99, max, bytes, s.ms.size());
    report.json()
        .number(s.label + "_p50_ms", p50, 3)
        .number(s.label + "_p99_ms", p99, 3)
        .number(s.label + "_max_ms", max, 3)
        .number(s.label + "_bytes", bytes, 0);
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
