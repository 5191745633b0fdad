// pcap_bench: how fast `trafficdb import` turns a large classic pcap of
// HTTP/1.1 traffic into exchanges and how much memory it needs, next to the
// yardstick of tshark's HTTP dissector on the same file.
//
// 1. Generates the workload (pcap_workload_gen.h: keep-alive connections
//    interleaved in time, Content-Length, chunked and gzip bodies, 304s,
//    POSTs, resets) into a temporary file, or reuses --pcap FILE and the
//    counts saved next to it (FILE.counts). Not timed.
// 2. Reads the file once, so that no timed run reads the disk.
// 3. Runs `trafficdb --db <fresh temp db> import FILE -q` as a child process
//    (fork/exec + wait4): wall time, peak RSS, CPU time; then checks the
//    database read-only against the generator's counts.
// 4. Runs `tshark -r FILE -Y http -T fields -e http.host -e
//    http.request.method -e http.response.code` the same way, reading its
//    output through a pipe and counting the HTTP messages it printed.
// 5. Measures the store's floor on the last database (store_floor.h): SQLite
//    alone writing the same rows into an empty file of the same schema.
// 6. Prints a summary, the reproduce line and a JSON line
//    ({"bench":"pcap_import",...}). See bench/README.md.

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#ifndef TRAFFICDB_BINARY
#error "TRAFFICDB_BINARY must name the trafficdb executable (set by bench/CMakeLists.txt)"
#endif

#include "bench_args.h"
#include "bench_report.h"
#include "child_process.h"
#include "pcap_workload_gen.h"
#include "scratch_files.h"
#include "store_floor.h"

using namespace bench;
using namespace bench::pcap_workload;

namespace {

struct Options {
  WorkloadOptions workload;
  std::string profile = "mixed";
  std::string pcap;  // "" = temporary file, deleted afterwards
  bool keep = false;
  std::uint64_t repeat = 1;
  bool no_tshark = false;
};

void declare(Args& args, Options& o) {
  args.number("--exchanges N", o.workload.exchanges, "HTTP exchanges to generate", 1)
      .number("--connections C", o.workload.connections, "concurrent keep-alive connections", 1)
      .number("--seed S", o.workload.seed, "PRNG seed")
      .text("--profile P", o.profile,
            "mixed (every kind of exchange: gzip, chunked, 304, POST, ...) or api-json\n"
            "(JSON GETs of 1-8 KB, identity, as a client polling an API: the shape of\n"
            "real curl/nginx traffic, where tshark is at its fastest)")
      .text("--pcap FILE", o.pcap,
            "the capture to use: reused if it exists (checked against FILE.counts\n"
            "when present), else generated there and kept. Default: a temporary\n"
            "file in $TMPDIR or /tmp, deleted after.")
      .flag("--keep", o.keep, "keep the temporary capture and the last trafficdb database")
      .number("--repeat R", o.repeat, "rounds of trafficdb + tshark, alternating which goes first;\nreports medians", 1)
      .flag("--no-tshark", o.no_tshark, "measure trafficdb only")
      .epilog("trafficdb binary: " TRAFFICDB_BINARY "\n");
}

// ---------------------------------------------------------------- the database

struct DbCheck {
  std::uint64_t exchanges = 0, responses = 0, errors = 0;
  std::uint64_t request_body_bytes = 0, response_body_bytes = 0;
  std::map<std::string, std::uint64_t> methods;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t sessions = 0;
  std::string session_status, session_source, session_error;
};

DbCheck read_database(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  DbCheck c;
  SQLite::Statement totals(db,
                           "SELECT count(*), count(status), coalesce(sum(error IS NOT NULL), 0), "
                           "coalesce(sum(req_body_size), 0), coalesce(sum(resp_body_size), 0) FROM exchanges");
  if (totals.executeStep()) {
    c.exchanges = static_cast<std::uint64_t>(totals.getColumn(0).getInt64());
    c.responses = static_cast<std::uint64_t>(totals.getColumn(1).getInt64());
    c.errors = static_cast<std::uint64_t>(totals.getColumn(2).getInt64());
    c.request_body_bytes = static_cast<std::uint64_t>(totals.getColumn(3).getInt64());
    c.response_body_bytes = static_cast<std::uint64_t>(totals.getColumn(4).getInt64());
  }
  SQLite::Statement methods(db, "SELECT method, count(*) FROM exchanges GROUP BY method");
  while (methods.executeStep())
    c.methods[methods.getColumn(0).getString()] = static_cast<std::uint64_t>(methods.getColumn(1).getInt64());
  SQLite::Statement statuses(db, "SELECT status, count(*) FROM exchanges WHERE status IS NOT NULL GROUP BY status");
  while (statuses.executeStep())
    c.statuses[statuses.getColumn(0).getInt()] = static_cast<std::uint64_t>(statuses.getColumn(1).getInt64());
  SQLite::Statement sessions(db, "SELECT count(*), max(status), max(source), max(error) FROM sessions");
  if (sessions.executeStep()) {
    c.sessions = static_cast<std::uint64_t>(sessions.getColumn(0).getInt64());
    c.session_status = sessions.getColumn(1).getString();  // "" for NULL
    c.session_source = sessions.getColumn(2).getString();
    c.session_error = sessions.getColumn(3).getString();
  }
  return c;
}

// What differs between the database and the generator's counts, one line each.
std::vector<std::string> mismatches(const DbCheck& db, const WorkloadCounts& want) {
  std::vector<std::string> out;
  auto number = [&](const char* what, std::uint64_t got, std::uint64_t expected) {
    if (got != expected)
      out.push_back(std::string(what) + ": database " + std::to_string(got) + ", generated " +
                    std::to_string(expected));
  };
  auto text = [&](const char* what, const std::string& got, const std::string& expected) {
    if (got != expected) out.push_back(std::string(what) + ": database '" + got + "', expected '" + expected + "'");
  };
  number("exchanges", db.exchanges, want.exchanges);
  number("exchanges with a response (status NOT NULL)", db.responses, want.responses);
  number("exchanges with an error (error NOT NULL)", db.errors, want.aborted);
  number("request body bytes (sum of req_body_size)", db.request_body_bytes, want.request_body_bytes);
  number("decoded response body bytes (sum of resp_body_size)", db.response_body_bytes, want.response_body_bytes);
  if (db.methods != want.methods)
    out.push_back("exchanges by method: database " + join_counts(db.methods) + "; generated " +
                  join_counts(want.methods));
  if (db.statuses != want.statuses)
    out.push_back("exchanges by status: database " + join_counts(db.statuses) + "; generated " +
                  join_counts(want.statuses));
  number("sessions", db.sessions, 1);
  text("session status", db.session_status, "imported");
  text("session source", db.session_source, "pcap");
  text("session error", db.session_error, "");
  return out;
}

// ---------------------------------------------------------------- tshark

// The lines tshark printed: one per HTTP message it dissected, tab-separated
// host, method and status; `blank` counts those with none of the three.
struct TsharkLines {
  std::uint64_t lines = 0;
  std::uint64_t blank = 0;
  bool only_tabs = true;  // so far on the current line

  void feed(std::string_view piece) {
    for (const char ch : piece) {
      if (ch == '\n') {
        ++lines;
        if (only_tabs) ++blank;
        only_tabs = true;
      } else if (ch != '\t' && ch != '\r') {
        only_tabs = false;
      }
    }
  }
};

// "4.0.17" from `tshark --version`, or nullopt when tshark cannot be run.
std::optional<std::string> tshark_version(const std::string& log_path) {
  const ChildRun r = run_child({"tshark", "--version"}, log_path);
  if (r.exit_code != 0) return std::nullopt;
  const std::string text = read_text(log_path, 4096);
  const std::string_view marker = "TShark (Wireshark) ";
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) return "unknown";
  const std::size_t from = at + marker.size();
  return text.substr(from, text.find_first_of(" \n", from) - from);
}

// ---------------------------------------------------------------- the run

int run(const Options& o, const Args& args) {
  RemoveOnExit cleanup;
  const std::string base = scratch_stem("pcap-bench");
  const std::string db_path = base + ".db";
  const std::string log_path = base + ".log";
  cleanup.add(log_path);
  const bool temporary_file = o.pcap.empty();
  const std::string file = temporary_file ? base + ".pcap" : o.pcap;
  if (temporary_file && !o.keep) {
    cleanup.add(file);
    cleanup.add(counts_path(file));
  }
  const std::string trafficdb = TRAFFICDB_BINARY;
  if (::access(trafficdb.c_str(), X_OK) != 0) {
    std::cerr << "pcap_bench: " << trafficdb << " is not executable; build the trafficdb target\n";
    return 1;
  }
  std::cout << "trafficdb: " << trafficdb << "\n";
  std::optional<std::string> tshark;
  if (!o.no_tshark) {
    tshark = tshark_version(log_path);
    if (tshark)
      std::cout << "tshark: " << *tshark << "\n";
    else
      std::cerr << "pcap_bench: tshark cannot be run: install it (apt-get install tshark) or pass --no-tshark; "
                   "measuring trafficdb only\n";
  }

  // ---- the file
  std::optional<WorkloadCounts> counts;
  if (!temporary_file && file_exists(file)) {
    counts = load_counts(counts_path(file));
    std::cout << "file: " << file << " (reused)\n";
    if (counts)
      std::cout << describe(*counts);
    else
      std::cout << "no " << counts_path(file) << ": the database is not checked against the generator's counts\n";
  } else {
    const auto t0 = std::chrono::steady_clock::now();
    counts = generate_workload(file, o.workload);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "file: " << file << (temporary_file ? (o.keep ? " (temporary, kept)" : " (temporary)") : " (kept)")
              << "\ngenerated in " << fixed(seconds, 2) << " s (not timed), seed " << o.workload.seed << ", "
              << o.workload.connections << " concurrent connections: " << describe(*counts);
  }
  std::cout.flush();
  warm_page_cache(file);
  const std::uint64_t file_bytes = file_size(file);
  const double mb = static_cast<double>(file_bytes) / 1e6;

  // ---- rounds
  const std::vector<std::string> trafficdb_args = {trafficdb, "--db", db_path, "import", file, "-q"};
  const std::vector<std::string> tshark_args = {"tshark",
                                                "-r",
                                                file,
                                                "-Y",
                                                "http",
                                                "-T",
                                                "fields",
                                                "-e",
                                                "http.host",
                                                "-e",
                                                "http.request.method",
                                                "-e",
                                                "http.response.code"};
  if (!o.keep) cleanup.add_database(db_path);
  Series tdb, tsh;
  std::vector<double> ratios;
  std::uint64_t db_bytes = 0;
  DbCheck db;
  std::vector<std::string> problems;
  TsharkLines seen;

  ChildRun t, k;
  auto trafficdb_round = [&](const Round&) {
    remove_database(db_path);
    if (file_exists(db_path)) throw std::runtime_error(db_path + " exists and cannot be removed");
    t = run_child(trafficdb_args, log_path);
    show_log("trafficdb", log_path);  // -q: only problems, normally nothing
    if (t.exit_code != 0) throw std::runtime_error("trafficdb import failed (" + describe(t) + ")");
    db_bytes = file_size(db_path) + file_size(db_path + "-wal");
    db = read_database(db_path);
    if (counts) problems = mismatches(db, *counts);
    for (const std::string& p : problems) std::cerr << "*** MISMATCH " << p << "\n";
    tdb.add(t);
  };
  auto tshark_round = [&](const Round&) {
    seen = {};
    k = run_child_reading_stdout(tshark_args, log_path, [&](std::string_view piece) { seen.feed(piece); });
    if (k.exit_code != 0) {
      show_log("tshark", log_path);
      throw std::runtime_error("tshark failed (" + describe(k) + ")");
    }
    tsh.add(k);
  };
  run_rounds(o.repeat, tshark.has_value(), trafficdb_round, tshark_round, [&](const Round& round) {
    if (tshark) ratios.push_back(k.seconds / t.seconds);
    if (o.repeat > 1)
      std::cout << round.prefix() << "trafficdb " << child_round(t) << (tshark ? "; tshark " + child_round(k) : "")
                << round.first_note("tshark") << "\n";
  });

  // ---- summary
  const double n = static_cast<double>(db.exchanges);
  const std::string of = over_rounds(o.repeat);
  std::cout << "pcap: " << fixed(mb, 1) << " MB, " << db.exchanges << " exchanges imported\n";
  std::cout << "trafficdb import: " << child_figures(tdb, mb, n) << of << "; database "
            << fixed(static_cast<double>(db_bytes) / 1e6, 1) << " MB\n";
  std::cout << "  database: " << db.exchanges << " exchanges, " << db.responses << " with a response, " << db.errors
            << " with an error; " << db.request_body_bytes << " request and " << db.response_body_bytes
            << " response body bytes; "
            << (!counts            ? "not checked (no counts)"
                : problems.empty() ? "as generated"
                                   : std::to_string(problems.size()) + " MISMATCH(ES), above")
            << "\n";
  if (tshark) {
    std::cout << "tshark -Y http:   " << child_figures(tsh, mb, n) << of << "\n  tshark printed " << seen.lines
              << " HTTP messages (" << seen.blank << " without host, method or status)";
    if (counts) std::cout << "; generated " << counts->http_messages();
    std::cout << "\n"
              << ratio_line("tshark", "trafficdb", {{"time", median(ratios)}},
                            "above 1: trafficdb faster; it also stores everything, tshark only prints three fields")
              << "\n";
  }
  // ---- the store's floor, once per round, on the last database
  std::vector<double> floors;
  const std::string floor_path = base + "-floor.db";
  cleanup.add_database(floor_path);
  for (std::uint64_t i = 0; i < o.repeat; ++i) {
    remove_database(floor_path);
    floors.push_back(store_floor_seconds(db_path, floor_path));
  }
  remove_database(floor_path);
  const double floor = median(floors);
  const double tdb_seconds = median(tdb.seconds);
  std::cout << "store floor (SQLite alone inserting the same rows into an empty database of the same schema): "
            << fixed(floor, 2) << " s" << of << "; trafficdb takes " << fixed(tdb_seconds / floor, 2)
            << "x the floor";
  if (tshark)
    std::cout << "; tshark takes " << fixed(median(tsh.seconds) / floor, 2)
              << "x the floor (the most any SQLite importer can beat it by)";
  std::cout << "\n";
  if (o.keep) std::cout << "kept: " << file << ", " << counts_path(file) << ", " << db_path << "\n";

  Report report("pcap_import", args);
  JsonObject& json = report.json();
  json.integer("file_bytes", file_bytes)
      .integer("exchanges", db.exchanges)
      .integer("repeat", o.repeat)
      .boolean("checked", counts.has_value())
      .integer("mismatches", problems.size());
  add_child_figures(json, "trafficdb", tdb, mb, n);
  json.integer("trafficdb_db_bytes", db_bytes);
  json.number("store_floor_seconds", floor, 4);
  add_child_runs(json, "trafficdb", tdb);
  if (tshark) {
    json.string("tshark_version", *tshark);
    add_child_figures(json, "tshark", tsh, mb, n);
    json.integer("tshark_http_lines", seen.lines);
    add_child_runs(json, "tshark", tsh);
    json.number("ratio_seconds", median(ratios), 4);
  }
  report.finish();

  if (!problems.empty()) return 1;
  if (!tshark && !o.no_tshark) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  Args args("pcap_bench",
            "Writes a large realistic pcap of HTTP/1.1 traffic, imports it with `trafficdb import` into a\n"
            "fresh database and runs tshark's HTTP dissector on it, both as child processes; reports wall\n"
            "time, MB/s, exchanges/s and peak RSS of each, and checks the database against what was generated.\n");
  declare(args, o);
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
  if (const auto p = bench::pcap_workload::parse_profile(o.profile)) o.workload.profile = *p;
  else return args.usage_error("--profile: '" + o.profile + "' is not mixed or api-json");
  try {
    return run(o, args);
  } catch (const std::exception& e) {
    std::cerr << "pcap_bench: " << e.what() << "\n";
    return 1;
  }
}
