// soak_bench: a recorder that runs for a long time under steady traffic.
//
// `trafficdb record pcap` captures loopback traffic between this program's
// HTTP client and server (cpp-httplib), sent at a steady rate for --minutes,
// with distinct bodies so the store keeps growing; optionally with a
// retention policy (--max-size, `trafficdb retention set`) that keeps
// pruning it. Every --report-seconds it prints, per interval:
//   - exchanges stored per second;
//   - the recorder's RSS (VmRSS) and the database's size (file + WAL);
//   - visibility: from a response received by the client to its row being
//     readable in the database (the writer's batching plus any stall; its
//     maximum is the longest writer stall seen from outside);
//   - reader latency: a newest-50 page and a count of the last minute, run
//     by a separate reader connection once a second.
// All must stay flat; the last lines compare the first interval after the
// warm-up with the last. Needs root (capture on lo). Example:
//   ./build/bench/soak_bench --minutes 20 --rate 200 --max-size 200MB
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_args.h"
#include "child_process.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::uint64_t minutes = 20;
  std::uint64_t rate = 200;  // requests per second
  std::uint64_t body_bytes = 4000;
  std::uint64_t report_seconds = 60;
  std::string db_path = "/tmp/trafficdb-soak.db";
  std::string max_size;  // retention policy, e.g. 200MB; empty: none
};

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Nearest-rank percentile; 0 for none.
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(p * static_cast<double>(v.size()));
  return v[std::min(v.size() - 1, rank)];
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// A field of /proc/PID/status in MB ("VmRSS:" all resident pages; "RssAnon:"
// the process's own memory, without the database's memory map and the
// capture ring, which are file or socket pages the kernel can reclaim).
double status_mb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(field.size())) / 1000.0;  // kB -> MB
  return 0;
}

// Bodies stored but not yet in the search index (searches scan them instead).
std::int64_t bodies_not_indexed(SQLite::Database& db) {
  return db.execAndGet("SELECT count(*) FROM bodies WHERE id > (SELECT position FROM search_state WHERE name = 'bodies_fts')")
      .getInt64();
}

// A body that differs per request (bodies are stored once per content).
std::string body_for(std::uint64_t n, std::size_t bytes) {
  std::string body;
  body.reserve(bytes);
  std::uint64_t x = n * 0x9E3779B97F4A7C15ull + 1;
  while (body.size() < bytes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    body += "0123456789abcdef"[x & 15];
  }
  return body;
}

struct Interval {
  std::uint64_t stored = 0;
  std::vector<double> visibility_ms, reader_ms;
};

struct Row {
  double minute, per_second, rss_mb, anon_mb, db_mb, vis_p50, vis_p99, vis_max, read_p50, read_p99, read_max;
  std::int64_t not_indexed;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bench::Args args("soak_bench",
                   "Runs `trafficdb record pcap` on lo for --minutes under steady HTTP traffic and reports, per\n"
                   "interval, exchanges/s, the recorder's RSS, the database's size, how long a response takes to\n"
                   "become a readable row (the longest writer stall) and a reader's query latency. Needs root.\n");
  args.number("--minutes N", o.minutes, "how long to record", 1)
      .number("--rate N", o.rate, "requests per second", 1, 20000)
      .number("--body-bytes N", o.body_bytes, "response body bytes (distinct per request)", 1, 1u << 24)
      .number("--report-seconds N", o.report_seconds, "interval of the report lines", 5)
      .text("--db PATH", o.db_path, "database file (removed first)")
      .text("--max-size SIZE", o.max_size, "set a retention policy first: trafficdb retention set --max-size SIZE");
  args.epilog(std::string("trafficdb: ") + TRAFFICDB_BINARY + "\n");
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;

  for (const char* suffix : {"", "-wal", "-shm", "-recording"}) std::remove((o.db_path + suffix).c_str());
  const std::string log_path = o.db_path + ".log";

  httplib::Server server;
  server.set_tcp_nodelay(true);  // a response's head and body in one round trip
  server.Get(R"(/items/(\d+))", [&](const httplib::Request& rq, httplib::Response& rs) {
    rs.set_content(body_for(std::stoull(rq.matches[1]), o.body_bytes), "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread server_thread([&] { server.listen_after_bind(); });

  if (!o.max_size.empty()) {
    const bench::ChildRun set =
        bench::run_child({TRAFFICDB_BINARY, "--db", o.db_path, "retention", "set", "--max-size", o.max_size}, log_path);
    if (set.exit_code != 0) {
      bench::show_log("trafficdb retention set", log_path);
      server.stop();
      server_thread.join();
      return 1;
    }
  }

  const pid_t recorder = fork();
  if (recorder == 0) {
    std::freopen(log_path.c_str(), "a", stderr);
    std::freopen("/dev/null", "w", stdout);
    const std::string filter = "tcp port " + std::to_string(port);
    execl(TRAFFICDB_BINARY, TRAFFICDB_BINARY, "--db", o.db_path.c_str(), "record", "pcap", "--interface", "lo",
          "--filter", filter.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the capture opens

  // Response times by request number; the reader matches rows to them.
  const std::uint64_t total = o.minutes * 60 * o.rate;
  std::vector<Clock::time_point> answered(total);
  std::vector<std::atomic<bool>> done(total);
  std::atomic<std::uint64_t> sent{0};
  std::atomic<bool> stop{false};
  std::thread client_thread([&] {
    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);
    const auto start = Clock::now();
    for (std::uint64_t i = 0; i < total && !stop; ++i) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(i * 1'000'000 / o.rate));
      if (auto r = client.Get("/items/" + std::to_string(i)); r && r->status == 200) {
        answered[i] = Clock::now();
        done[i] = true;
      }
      sent = i + 1;
    }
  });

  std::vector<Row> rows;
  {
    std::unique_ptr<SQLite::Database> db;
    for (int tries = 0; !db && tries < 100; ++tries) {
      try {
        db = std::make_unique<SQLite::Database>(o.db_path, SQLite::OPEN_READONLY, 10000);
        db->execAndGet("SELECT count(*) FROM exchanges");
      } catch (const SQLite::Exception&) {
        db.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    if (!db) {
      std::cerr << "soak_bench: the recorder did not create " << o.db_path << "\n";
      bench::show_log("trafficdb record", log_path);
      stop = true;
    }
    std::int64_t last_id = 0;
    Interval interval;
    const auto start = Clock::now();
    auto next_read = start, next_report = start + std::chrono::seconds(o.report_seconds);
    while (db && Clock::now() < start + std::chrono::minutes(o.minutes) + std::chrono::seconds(5)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      SQLite::Statement fresh(*db, "SELECT id, path FROM exchanges WHERE id > ? ORDER BY id");
      fresh.bind(1, last_id);
      const auto now = Clock::now();
      while (fresh.executeStep()) {
        last_id = fresh.getColumn(0).getInt64();
        const std::string path = fresh.getColumn(1).getString();
        if (path.rfind("/items/", 0) != 0) continue;
        const std::uint64_t n = std::stoull(path.substr(7));
        ++interval.stored;
        if (n < total && done[n]) interval.visibility_ms.push_back(ms_between(answered[n], now));
      }
      if (now >= next_read) {
        next_read += std::chrono::seconds(1);
        const auto t0 = Clock::now();
        SQLite::Statement page(*db, "SELECT id, method, host, path, status, duration_ms, resp_body_size "
                                    "FROM exchanges ORDER BY id DESC LIMIT 50");
        while (page.executeStep()) {
        }
        SQLite::Statement count(*db, "SELECT count(*) FROM exchanges WHERE started_at >= ?");
        count.bind(1, static_cast<std::int64_t>(
                          std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count() - 60'000'000));
        count.executeStep();
        interval.reader_ms.push_back(ms_between(t0, Clock::now()));
      }
      if (now >= next_report) {
        next_report += std::chrono::seconds(o.report_seconds);
        Row r{ms_between(start, now) / 60000.0,
              static_cast<double>(interval.stored) / static_cast<double>(o.report_seconds),
              status_mb(recorder, "VmRSS:"), status_mb(recorder, "RssAnon:"),
              static_cast<double>(file_size(o.db_path) + file_size(o.db_path + "-wal")) / 1e6,
              percentile(interval.visibility_ms, 0.5), percentile(interval.visibility_ms, 0.99),
              percentile(interval.visibility_ms, 1.0), percentile(interval.reader_ms, 0.5),
              percentile(interval.reader_ms, 0.99), percentile(interval.reader_ms, 1.0), bodies_not_indexed(*db)};
        rows.push_back(r);
        std::printf("%6.1f min  %7.1f exch/s  rss %7.1f MB (anon %6.1f)  db %8.1f MB  visible p50 %7.1f p99 %7.1f max %7.1f ms"
                    "  reader p50 %6.2f p99 %6.2f max %6.2f ms  not indexed %lld\n",
                    r.minute, r.per_second, r.rss_mb, r.anon_mb, r.db_mb, r.vis_p50, r.vis_p99, r.vis_max, r.read_p50,
                    r.read_p99, r.read_max, static_cast<long long>(r.not_indexed));
        std::fflush(stdout);
        interval = Interval{};
      }
    }
  }
  stop = true;
  client_thread.join();
  ::kill(recorder, SIGINT);
  int status = 0;
  ::waitpid(recorder, &status, 0);
  server.stop();
  server_thread.join();

  std::printf("sent %llu requests; recorder %s\n", static_cast<unsigned long long>(sent.load()),
              WIFEXITED(status) ? ("exited " + std::to_string(WEXITSTATUS(status))).c_str() : "killed");
  if (rows.size() >= 3) {
    const Row& first = rows[1];  // after the first interval's warm-up
    const Row& last = rows.back();
    std::printf("flatness, last interval / second: exch/s %.2f  rss %.2f (anon %.2f)  visible p99 %.2f  reader p99 %.2f"
                "  (db size %.1f -> %.1f MB)\n",
                last.per_second / first.per_second, last.rss_mb / first.rss_mb, last.anon_mb / first.anon_mb,
                first.vis_p99 > 0 ? last.vis_p99 / first.vis_p99 : 0,
                first.read_p99 > 0 ? last.read_p99 / first.read_p99 : 0, first.db_mb, last.db_mb);
  }
  std::printf("reproduce: %s\n", args.command_line().c_str());
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
