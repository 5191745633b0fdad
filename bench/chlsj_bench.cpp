// chlsj_bench: how fast `trafficdb import` reads a large Charles JSON session
// export (.chlsj) and how much memory it needs, next to the yardstick of
// Python's json.load on the same file (what the Python MCP wrappers do before
// any work).
//
// 1. Writes a realistic .chlsj of N transactions (chlsj_workload.h), or
//    reuses --file PATH. Not timed.
// 2. Runs `trafficdb --db <fresh temp db> import FILE --quiet` as a child
//    process (fork/exec + wait4): wall time, peak RSS (ru_maxrss) and CPU
//    time; checks the exit status and that the database holds one exchange
//    per transaction.
// 3. Runs `python3 -c 'import json,sys; json.load(open(sys.argv[1]))' FILE`
//    the same way.
// 4. Prints a summary, the reproduce line and a JSON line
//    ({"bench":"chlsj_import",...}). See bench/README.md.

#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
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
#include "charles_json.h"
#include "child_process.h"
#include "chlsj_workload.h"
#include "scratch_files.h"

using namespace bench;
using namespace bench::chlsj_workload;

namespace {

constexpr const char* kPythonYardstick = "import json,sys; json.load(open(sys.argv[1]))";

struct Options {
  std::uint64_t count = 120000;
  std::string file;  // "" = temporary file, deleted afterwards
  bool keep = false;
  std::uint64_t repeat = 1;
  std::uint64_t seed = 1;
  std::string python = "python3";
};

void declare(Args& args, Options& o) {
  args.number("--count N", o.count, "transactions to generate", 1)
      .text("--file PATH", o.file,
            "the .chlsj to use: reused as it is if it exists (its transactions\n"
            "are counted; every one must import cleanly), else generated there\n"
            "and kept. Default: a temporary file in $TMPDIR or /tmp, deleted after.")
      .flag("--keep", o.keep, "keep the temporary .chlsj and the last trafficdb database")
      .number("--repeat R", o.repeat,
              "rounds of trafficdb + python, alternating which goes first;\n"
              "reports medians",
              1)
      .number("--seed S", o.seed, "PRNG seed for the generated file")
      .text("--python CMD", o.python,
            "the Python interpreter, resolved once to\n"
            "sys.executable so a pyenv shim is not timed")
      .epilog("trafficdb binary: " TRAFFICDB_BINARY "\n");
}

// ---------------------------------------------------------------- child processes

struct Python {
  std::string executable;
  std::string version;
};

// The interpreter behind `cmd` (a pyenv shim would otherwise be timed too).
Python resolve_python(const std::string& cmd, const std::string& log_path) {
  const ChildRun r =
      run_child({cmd, "-c", "import sys; print(sys.executable); print(sys.version.split()[0])"}, log_path);
  const std::string text = read_text(log_path, 4096);
  if (r.exit_code != 0) {
    show_log(cmd, log_path);
    throw std::runtime_error("cannot run " + cmd + " (" + describe(r) + "); give --python");
  }
  std::istringstream lines(text);
  Python p;
  std::getline(lines, p.executable);
  std::getline(lines, p.version);
  if (p.executable.empty()) p.executable = cmd;
  return p;
}

// ---------------------------------------------------------------- the database

struct DbCheck {
  std::uint64_t exchanges = 0;
  std::uint64_t errors = 0;
  std::uint64_t tunnels = 0;
  std::uint64_t sessions = 0;
  std::string session_status;
  bool session_error = false;
};

DbCheck check_database(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  DbCheck c;
  SQLite::Statement ex(db, "SELECT count(*), coalesce(sum(error IS NOT NULL), 0), coalesce(sum(tunnel), 0) FROM exchanges");
  if (ex.executeStep()) {
    c.exchanges = static_cast<std::uint64_t>(ex.getColumn(0).getInt64());
    c.errors = static_cast<std::uint64_t>(ex.getColumn(1).getInt64());
    c.tunnels = static_cast<std::uint64_t>(ex.getColumn(2).getInt64());
  }
  SQLite::Statement s(db, "SELECT count(*), max(status), max(error IS NOT NULL) FROM sessions");
  if (s.executeStep()) {
    c.sessions = static_cast<std::uint64_t>(s.getColumn(0).getInt64());
    c.session_status = s.getColumn(1).isNull() ? "" : s.getColumn(1).getString();
    c.session_error = !s.getColumn(2).isNull() && s.getColumn(2).getInt() != 0;
  }
  return c;
}

// ---------------------------------------------------------------- the run

// The file to measure: generated (with what was generated) or reused.
std::optional<GenStats> prepare_file(const Options& o, const Args& args, const std::string& file, bool temporary_file) {
  if (!temporary_file && file_exists(o.file)) {
    std::cout << "file: " << file << " (reused" << (args.given("--count") ? "; --count ignored" : "") << ")\n";
    return std::nullopt;
  }
  GenStats g = generate_chlsj(file, o.count, o.seed);
  g.bytes = file_size(file);
  const double avg_body =
      g.response_bodies ? static_cast<double>(g.response_body_bytes) / static_cast<double>(g.response_bodies) : 0;
  std::cout << "file: " << file << (temporary_file ? (o.keep ? " (temporary, kept)" : " (temporary)") : " (kept)")
            << "\ngenerated " << g.transactions << " transactions in " << fixed(g.seconds, 2)
            << " s (not timed), seed " << o.seed << ": " << fixed(static_cast<double>(g.bytes) / 1e6, 1) << " MB, "
            << fixed(static_cast<double>(g.bytes) / static_cast<double>(g.transactions), 0)
            << " B/transaction; " << g.tunnels << " CONNECT tunnels, " << g.exceptions << " EXCEPTION, " << g.http2
            << " HTTP/2, " << g.request_bodies << " request bodies, " << g.response_bodies
            << " response bodies averaging " << fixed(avg_body, 0) << " B decoded (" << g.decoded_bodies
            << " decoded gzip text, " << g.gzip_base64_bodies << " base64 gzip, " << g.binary_bodies
            << " base64 images), " << g.string_numbers << " with speeds/totalSize as strings\n";
  return g;
}

int run(const Options& o, const Args& args) {
  RemoveOnExit cleanup;
  const std::string base = scratch_stem("chlsj-bench");
  const std::string db_path = base + ".db";
  const std::string log_path = base + ".log";
  cleanup.add(log_path);
  const bool temporary_file = o.file.empty();
  const std::string file = temporary_file ? base + ".chlsj" : o.file;
  if (temporary_file && !o.keep) cleanup.add(file);
  const std::string trafficdb = TRAFFICDB_BINARY;

  if (::access(trafficdb.c_str(), X_OK) != 0) {
    std::cerr << "chlsj_bench: " << trafficdb << " is not executable; build the trafficdb target\n";
    return 1;
  }
  const Python python = resolve_python(o.python, log_path);
  std::cout << "trafficdb: " << trafficdb << "\n"
            << "python: " << python.executable << " (" << python.version << ")\n";

  // ---- the file
  const std::optional<GenStats> gen = prepare_file(o, args, file, temporary_file);
  std::cout.flush();
  const std::uint64_t transactions = count_transactions(file);
  const std::uint64_t file_bytes = file_size(file);
  if (gen && transactions != gen->transactions)
    throw std::runtime_error("the generated file holds " + std::to_string(transactions) + " transactions, expected " +
                             std::to_string(gen->transactions));
  if (!gen)
    std::cout << "counted " << transactions << " transactions, " << fixed(static_cast<double>(file_bytes) / 1e6, 1)
              << " MB\n";

  // ---- rounds
  const std::vector<std::string> trafficdb_args = {trafficdb, "--db", db_path, "import", file, "--quiet"};
  const std::vector<std::string> python_args = {python.executable, "-c", kPythonYardstick, file};
  Series tdb, py;
  std::vector<double> ratio_seconds, ratio_rss;
  std::uint64_t db_bytes = 0;
  const double mb = static_cast<double>(file_bytes) / 1e6;
  const double n = static_cast<double>(transactions);
  if (!o.keep) cleanup.add_database(db_path);

  ChildRun t, p;
  auto trafficdb_round = [&](const Round&) {
    remove_database(db_path);
    if (file_exists(db_path)) throw std::runtime_error(db_path + " exists and cannot be removed");
    t = run_child(trafficdb_args, log_path);
    if (t.exit_code != 0) {
      show_log("trafficdb", log_path);
      throw std::runtime_error("trafficdb import failed (" + describe(t) + ")");
    }
    show_log("trafficdb", log_path);  // --quiet: only problems, normally nothing
    db_bytes = file_size(db_path) + file_size(db_path + "-wal");
    const DbCheck c = check_database(db_path);
    if (c.exchanges != transactions)
      throw std::runtime_error("the database holds " + std::to_string(c.exchanges) + " exchanges, expected " +
                               std::to_string(transactions));
    if (c.sessions != 1 || c.session_status != "imported" || c.session_error)
      throw std::runtime_error("unexpected session row (status '" + c.session_status + "')");
    if (gen && (c.errors != gen->exceptions || c.tunnels != gen->tunnels))
      throw std::runtime_error("the database has " + std::to_string(c.errors) + " failed exchanges and " +
                               std::to_string(c.tunnels) + " tunnels, expected " + std::to_string(gen->exceptions) +
                               " and " + std::to_string(gen->tunnels));
    tdb.add(t);
  };
  auto python_round = [&](const Round&) {
    p = run_child(python_args, log_path);
    if (p.exit_code != 0) {
      show_log("python", log_path);
      throw std::runtime_error("python json.load failed (" + describe(p) + ")");
    }
    py.add(p);
  };
  run_rounds(o.repeat, true, trafficdb_round, python_round, [&](const Round& round) {
    ratio_seconds.push_back(p.seconds / t.seconds);
    ratio_rss.push_back(p.peak_rss_mb / t.peak_rss_mb);
    if (o.repeat > 1)
      std::cout << round.prefix() << "trafficdb " << child_round(t) << "; python " << child_round(p)
                << round.first_note("python") << "\n";
  });

  // ---- summary
  const std::string of = over_rounds(o.repeat);
  std::cout << "trafficdb import: " << child_figures(tdb, mb, n) << "; database "
            << fixed(static_cast<double>(db_bytes) / 1e6, 1) << " MB" << of << "\n";
  std::cout << "python json.load: " << child_figures(py, mb, std::nullopt) << of << "\n";
  std::cout << ratio_line("python", "trafficdb", {{"time", median(ratio_seconds)}, {"peak RSS", median(ratio_rss)}},
                          "above 1: trafficdb faster / leaner; trafficdb also stores everything, python only parses")
            << "\n";
  if (o.keep) std::cout << "kept: " << file << ", " << db_path << "\n";

  Report report("chlsj_import", args);
  JsonObject& json = report.json();
  json.integer("file_bytes", file_bytes)
      .integer("transactions", transactions)
      .boolean("generated", gen.has_value())
      .integer("seed", o.seed)
      .integer("repeat", o.repeat);
  if (gen)
    json.number("generation_s", gen->seconds, 3)
        .integer("tunnels", gen->tunnels)
        .integer("exceptions", gen->exceptions)
        .integer("response_bodies", gen->response_bodies)
        .integer("response_body_bytes", gen->response_body_bytes);
  add_child_figures(json, "trafficdb", tdb, mb, n);
  json.integer("trafficdb_db_bytes", db_bytes);
  add_child_runs(json, "trafficdb", tdb);
  json.string("python_version", python.version);
  add_child_figures(json, "python", py, mb, std::nullopt);
  add_child_runs(json, "python", py);
  json.number("ratio_seconds", median(ratio_seconds), 4).number("ratio_peak_rss", median(ratio_rss), 4);
  report.finish();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  Args args("chlsj_bench",
            "Writes a large realistic Charles JSON session export (.chlsj), imports it with\n"
            "`trafficdb import` into a fresh database, and loads it with Python's json.load,\n"
            "both as child processes; reports wall time, MB/s, exchanges/s and peak RSS of each.\n");
  declare(args, o);
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
  try {
    return run(o, args);
  } catch (const std::exception& e) {
    std::cerr << "chlsj_bench: " << e.what() << "\n";
    return 1;
  }
}
