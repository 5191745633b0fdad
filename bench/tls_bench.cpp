// tls_bench: how fast `trafficdb import --keylog` decrypts a capture of real
// HTTPS traffic (HTTP/2 and HTTP/1.1 over TLS 1.2 and 1.3, API-sized JSON)
// into exchanges, and how much memory it needs, next to the yardstick of
// tshark decrypting the same file with the same key log.
//
// 1. Makes the capture with real peers (tls_capture.h: nginx, curl with
//    SSLKEYLOGFILE, tcpdump on lo), or reuses --pcap FILE and FILE.keys.
//    Not timed.
// 2. Reads the file once, so that no timed run reads the disk.
// 3. Runs `trafficdb --db <fresh temp db> import FILE --keylog FILE.keys -q`
//    as a child process (wall time, peak RSS, CPU time) and checks the
//    database: every request stored, decrypted, answered 200.
// 4. Runs `tshark -r FILE -o tls.keylog_file:FILE.keys -d tcp.port==P,tls
//    -Y "http.response || http2.headers.status" -T fields -e frame.number`
//    the same way, counting the responses it printed.
// 5. Prints a summary, the reproduce line and a JSON line
//    ({"bench":"tls_import",...}). See bench/README.md.

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#ifndef TRAFFICDB_BINARY
#error "TRAFFICDB_BINARY must name the trafficdb executable (set by bench/CMakeLists.txt)"
#endif

#include "bench_args.h"
#include "bench_report.h"
#include "child_process.h"
#include "scratch_files.h"
#include "tls_capture.h"

using namespace bench;

namespace {

struct Options {
  tls_workload::CaptureOptions capture;
  std::string pcap;  // "" = temporary
  bool keep = false;
  std::uint64_t repeat = 1;
  bool no_tshark = false;
};

struct DbCheck {
  std::uint64_t exchanges = 0, ok = 0, errors = 0, http2 = 0, tls13 = 0;
};

DbCheck read_database(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement st(db,
                       "SELECT count(*), coalesce(sum(status = 200), 0), coalesce(sum(error IS NOT NULL), 0), "
                       "coalesce(sum(http_version = 'HTTP/2'), 0), "
                       "coalesce(sum(json_extract(details, '$.tls.version') = 'TLS 1.3'), 0) FROM exchanges");
  DbCheck c;
  if (st.executeStep()) {
    c.exchanges = static_cast<std::uint64_t>(st.getColumn(0).getInt64());
    c.ok = static_cast<std::uint64_t>(st.getColumn(1).getInt64());
    c.errors = static_cast<std::uint64_t>(st.getColumn(2).getInt64());
    c.http2 = static_cast<std::uint64_t>(st.getColumn(3).getInt64());
    c.tls13 = static_cast<std::uint64_t>(st.getColumn(4).getInt64());
  }
  return c;
}

// The TCP port of the capture's server: the destination of its first packet (a SYN).
std::string server_port(const std::string& pcap, const std::string& log) {
  std::string out;
  const ChildRun r = run_child_reading_stdout({"tshark", "-r", pcap, "-c", "1", "-T", "fields", "-e", "tcp.dstport"},
                                              log, [&](std::string_view piece) { out += piece; });
  if (r.exit_code != 0) throw std::runtime_error("tshark cannot read " + pcap);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

int run(const Options& o, const Args& args) {
  RemoveOnExit cleanup;
  const std::string base = scratch_stem("tls-bench");
  const std::string db_path = base + ".db", log_path = base + ".log";
  cleanup.add(log_path);
  const bool temporary = o.pcap.empty();
  const std::string file = temporary ? base + ".pcap" : o.pcap;
  const std::string keys = file + ".keys";
  if (temporary && !o.keep) {
    cleanup.add(file);
    cleanup.add(keys);
  }
  const std::string trafficdb = TRAFFICDB_BINARY;
  if (::access(trafficdb.c_str(), X_OK) != 0) {
    std::cerr << "tls_bench: " << trafficdb << " is not executable; build the trafficdb target\n";
    return 1;
  }
  std::optional<std::uint64_t> requests;
  if (!temporary && file_exists(file) && file_exists(keys)) {
    std::cout << "file: " << file << " and " << keys << " (reused)\n";
  } else {
    if (std::string missing = tls_workload::peers_missing(); !missing.empty()) {
      std::cerr << "tls_bench: cannot make the capture: " << missing << "\n";
      return 1;
    }
    const auto t0 = Clock::now();
    const tls_workload::CaptureResult made = tls_workload::make_capture(file, keys, o.capture);
    requests = made.requests;
    std::cout << "file: " << file << " made in " << fixed(seconds_since(t0), 1) << " s (not timed): "
              << made.requests << " requests by curl over " << o.capture.connections << " connections, "
              << made.logged << " answered in nginx's log, " << made.kernel_dropped << " packets dropped by the kernel\n";
    if (made.kernel_dropped > 0 || made.logged != made.requests)
      throw std::runtime_error("the capture is incomplete: make it again (a quieter machine)");
  }
  warm_page_cache(file);
  const double mb = static_cast<double>(file_size(file)) / 1e6;
  const std::string port = server_port(file, log_path);

  const std::vector<std::string> trafficdb_args = {trafficdb, "--db", db_path, "import", file, "--keylog", keys, "-q"};
  const std::vector<std::string> tshark_args = {"tshark", "-r", file, "-o", "tls.keylog_file:" + keys, "-d",
                                                "tcp.port==" + port + ",tls", "-Y",
                                                "http.response || http2.headers.status", "-T", "fields", "-e",
                                                "frame.number"};
  if (!o.keep) cleanup.add_database(db_path);
  Series tdb, tsh;
  std::vector<double> ratios;
  DbCheck db;
  std::uint64_t tshark_lines = 0;
  ChildRun t, k;
  run_rounds(
      o.repeat, !o.no_tshark,
      [&](const Round&) {
        remove_database(db_path);
        t = run_child(trafficdb_args, log_path);
        show_log("trafficdb", log_path);
        if (t.exit_code != 0) throw std::runtime_error("trafficdb import failed (" + describe(t) + ")");
        db = read_database(db_path);
        tdb.add(t);
      },
      [&](const Round&) {
        tshark_lines = 0;
        k = run_child_reading_stdout(tshark_args, log_path, [&](std::string_view piece) {
          for (char c : piece) tshark_lines += c == '\n';
        });
        if (k.exit_code != 0) {
          show_log("tshark", log_path);
          throw std::runtime_error("tshark failed (" + describe(k) + ")");
        }
        tsh.add(k);
      },
      [&](const Round& round) {
        if (!o.no_tshark) ratios.push_back(k.seconds / t.seconds);
        if (o.repeat > 1)
          std::cout << round.prefix() << "trafficdb " << child_round(t)
                    << (o.no_tshark ? "" : "; tshark " + child_round(k)) << round.first_note("tshark") << "\n";
      });

  const double n = static_cast<double>(db.exchanges);
  const bool complete = (!requests || db.exchanges == *requests) && db.ok == db.exchanges && db.errors == 0;
  std::cout << "capture: " << fixed(mb, 1) << " MB; database: " << db.exchanges << " exchanges (" << db.http2
            << " HTTP/2, " << db.tls13 << " over TLS 1.3), " << db.ok << " answered 200, " << db.errors
            << " with an error" << (complete ? "; every request decrypted" : "; *** NOT every request decrypted")
            << "\n";
  const std::string of = over_rounds(o.repeat);
  std::cout << "trafficdb import: " << child_figures(tdb, mb, n) << of << "\n";
  if (!o.no_tshark) {
    std::cout << "tshark (keylog):  " << child_figures(tsh, mb, n) << of << "; it printed " << tshark_lines
              << " responses\n"
              << ratio_line("tshark", "trafficdb", {{"time", median(ratios)}, {"peak RSS", median(tsh.rss) / median(tdb.rss)}},
                            "above 1: trafficdb faster / leaner; it also stores everything, tshark only prints")
              << "\n";
  }
  Report report("tls_import", args);
  JsonObject& json = report.json();
  json.number("file_mb", mb, 1).integer("exchanges", db.exchanges).integer("http2", db.http2)
      .integer("tls13", db.tls13).boolean("complete", complete).integer("repeat", o.repeat);
  add_child_figures(json, "trafficdb", tdb, mb, n);
  add_child_runs(json, "trafficdb", tdb);
  if (!o.no_tshark) {
    add_child_figures(json, "tshark", tsh, mb, n);
    json.integer("tshark_responses", tshark_lines);
    add_child_runs(json, "tshark", tsh);
    json.number("ratio_seconds", median(ratios), 3);
  }
  report.finish();
  return complete ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  Args args("tls_bench",
            "Makes a capture of real HTTPS traffic (nginx, curl with SSLKEYLOGFILE, tcpdump on lo: HTTP/2 and\n"
            "HTTP/1.1 over TLS 1.2 and 1.3), imports it with `trafficdb import --keylog` into a fresh database\n"
            "and decrypts it with tshark, both as child processes; reports wall time, exchanges/s and peak RSS\n"
            "of each, and checks that every request was stored. Needs root, nginx, curl, openssl, tcpdump, tshark.\n");
  args.number("--exchanges N", o.capture.exchanges, "requests curl makes", 1)
      .number("--connections C", o.capture.connections, "curl runs, one keep-alive connection each", 1)
      .number("--seed S", o.capture.seed, "PRNG seed (documents and their order)")
      .text("--pcap FILE", o.pcap,
            "the capture: reused with its key log FILE.keys if both exist, else made there\n"
            "and kept. Default: a temporary file, deleted after.")
      .flag("--keep", o.keep, "keep the temporary capture, its key log and the last database")
      .number("--repeat R", o.repeat, "rounds of trafficdb + tshark, alternating which goes first;\nreports medians", 1)
      .flag("--no-tshark", o.no_tshark, "measure trafficdb only")
      .epilog("trafficdb binary: " TRAFFICDB_BINARY "\n");
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
  try {
    return run(o, args);
  } catch (const std::exception& e) {
    std::cerr << "tls_bench: " << e.what() << "\n";
    return 1;
  }
}
