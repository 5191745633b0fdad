// writer_bench: how fast the Writer stores exchanges, and how that compares
// with raw SQLite inserting the same rows.
//
// 1. Generates N synthetic exchanges (writer_workload.h), before any timing.
// 2. Writer run: a fresh database through Writer::open; times from the first
//    consume() to close() returning (everything committed).
// 3. Baseline run: the same rows into a second fresh file opened with
//    open_database (same schema and pragmas), inserted directly with
//    SQLiteCpp prepared statements, one transaction per 2000 rows. The rows
//    are bound by store/exchange_row.h, as the Writer binds them; every body
//    is inserted as its own row under a random key (no hashing, no dedup).
//
// Prints the SQLite version, a one-line summary, the reproduce line and a
// JSON line ({"bench":"writer",...}) for scripts. See bench/README.md.

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "bench_args.h"
#include "bench_report.h"
#include "check_status.h"
#include "common/utf8.h"
#include "model/exchange.h"
#include "scratch_files.h"
#include "store/database.h"
#include "store/exchange_row.h"
#include "store/sessions.h"
#include "store/writer.h"
#include "writer_workload.h"

using namespace bench;

namespace {

using trafficdb::Body;
using trafficdb::Exchange;
using trafficdb::Micros;

constexpr std::size_t kBaselineRowsPerTransaction = 2000;

struct Options {
  WriterWorkloadOptions workload;
  std::string db_path;  // "" = temporary file, deleted afterwards
  std::uint64_t batch = trafficdb::WriterOptions{}.batch_size;
  std::uint64_t repeat = 1;
  bool no_baseline = false;
};

void declare(Args& args, Options& o) {
  args.number("--count N", o.workload.count, "exchanges to write", 1)
      .text("--db PATH", o.db_path,
            "writer database file (must not exist; kept afterwards);\n"
            "the baseline goes next to it as PATH.baseline.db.\n"
            "Default: temporary files in $TMPDIR or /tmp, deleted after.")
      .number("--body-bytes B", o.workload.body_bytes, "average response body size in bytes")
      .number("--distinct-bodies K", o.workload.distinct_bodies,
              "distinct response bodies to cycle through;\n0 = every response body unique")
      .number("--batch N", o.batch, "WriterOptions::batch_size", 1)
      .number("--seed S", o.workload.seed, "PRNG seed")
      .number("--repeat R", o.repeat,
              "rounds of writer + baseline on fresh files, alternating\n"
              "which goes first; reports medians (needs the default\n"
              "temporary --db)",
              1)
      .flag("--no-baseline", o.no_baseline, "skip the raw SQLite baseline (e.g. when profiling)");
}

// ---------------------------------------------------------------- runs

struct RunResult {
  double seconds = 0;
  std::uint64_t rows = 0;
  std::uint64_t db_bytes = 0;       // after the connection closed
  std::uint64_t wal_bytes = 0;      // likewise (0: checkpointed and removed)
  std::uint64_t wal_at_commit = 0;  // -wal size when the last commit returned
  std::uint64_t transactions = 0;
  std::uint64_t bodies_stored = 0;
  std::uint64_t bodies_reused = 0;
};

RunResult run_writer(const Options& o, const std::string& path, std::vector<Exchange>& exchanges) {
  trafficdb::WriterOptions wo;
  wo.batch_size = static_cast<std::size_t>(o.batch);
  std::unique_ptr<trafficdb::Writer> writer = check(trafficdb::Writer::open(path, wo), "Writer::open");
  const std::int64_t session = check(
      writer->create_session({"writer_bench", trafficdb::session_source::har, "", trafficdb::session_status::recording, ""}),
      "create_session");
  std::unique_ptr<trafficdb::ExchangeSink> sink = writer->sink(session);

  RunResult r;
  const auto t0 = Clock::now();
  for (Exchange& e : exchanges) check(sink->consume(std::move(e)), "consume");
  check(writer->close(), "close");
  r.seconds = seconds_since(t0);

  r.wal_at_commit = file_size(path + "-wal");
  const trafficdb::WriterStats stats = writer->stats();
  r.rows = stats.exchanges;
  r.transactions = stats.transactions;
  r.bodies_stored = stats.bodies_stored;
  r.bodies_reused = stats.bodies_reused;
  // Untimed: mark the session done, then close the connection (checkpoints the WAL).
  check(writer->finish_session(session, trafficdb::session_status::imported, std::nullopt), "finish_session");
  sink.reset();
  writer.reset();
  r.db_bytes = file_size(path);
  r.wal_bytes = file_size(path + "-wal");
  return r;
}

void bind_optional(SQLite::Statement& st, int index, const std::optional<Micros>& value) {
  if (value) st.bind(index, static_cast<std::int64_t>(*value));
  else st.bind(index);
}

// Plain prepared INSERTs, one transaction per kBaselineRowsPerTransaction
// rows. The exchange rows are bound with bind_exchange_row, as the Writer
// binds them (headers as JSON, media types, sizes); each body is a new row
// under a random 32-byte key (no hashing, no lookup, no dedup).
RunResult run_baseline(const std::string& path, const std::vector<Exchange>& exchanges) {
  std::unique_ptr<SQLite::Database> db =
      check(trafficdb::open_database(path, trafficdb::OpenMode::read_write), "open_database");
  const std::int64_t session = check(
      trafficdb::insert_session(
          *db, {"writer_bench baseline", trafficdb::session_source::har, "", trafficdb::session_status::recording, ""}),
      "insert_session");

  RunResult r;
  {
    SQLite::Statement begin(*db, "BEGIN IMMEDIATE");
    SQLite::Statement commit(*db, "COMMIT");
    SQLite::Statement insert_body(*db, "INSERT INTO bodies(hash, size, encoding, is_text, data) VALUES(?, ?, ?, ?, ?)");
    SQLite::Statement insert_exchange(*db, trafficdb::exchange_row_insert_sql());
    SQLite::Statement update_session(
        *db,
        "UPDATE sessions SET exchange_count = exchange_count + ?2, error_count = error_count + ?3, "
        "first_exchange_at = ?4, last_exchange_at = ?5 WHERE id = ?1");
    std::mt19937_64 key_rng(12345);
    std::array<std::uint64_t, 4> key{};
    trafficdb::ExchangeRowText row_text;

    auto store_body = [&](const Body& body) -> std::optional<std::int64_t> {
      if (!body.captured || body.data.empty()) return std::nullopt;
      for (std::uint64_t& k : key) k = key_rng();
      insert_body.bindNoCopy(1, key.data(), static_cast<int>(sizeof key));
      insert_body.bind(2, static_cast<std::int64_t>(body.data.size()));
      if (body.encoding.empty()) insert_body.bind(3);
      else insert_body.bindNoCopy(3, body.encoding);
      insert_body.bind(4, trafficdb::looks_like_text(body.data) ? 1 : 0);
      insert_body.bindNoCopy(5, body.data.data(), static_cast<int>(body.data.size()));
      insert_body.exec();
      insert_body.reset();
      ++r.bodies_stored;
      return static_cast<std::int64_t>(db->getLastInsertRowid());
    };

    std::uint64_t errors = 0;
    std::optional<Micros> first, last;
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
      if (i % kBaselineRowsPerTransaction == 0) {
        begin.exec();
        begin.reset();
      }
      const Exchange& e = exchanges[i];
      trafficdb::ExchangeRowBodies bodies;
      bodies.request = store_body(e.request.body);
      if (e.response) bodies.response = store_body(e.response->body);
      row_text = trafficdb::exchange_row_text(e);
      trafficdb::bind_exchange_row(insert_exchange, session, e, bodies, row_text);
      insert_exchange.exec();
      insert_exchange.reset();

      if (!e.error.empty()) ++errors;
      if (e.timings.started) {
        first = first ? std::min(*first, *e.timings.started) : *e.timings.started;
        last = last ? std::max(*last, *e.timings.started) : *e.timings.started;
      }
      if (i % kBaselineRowsPerTransaction == kBaselineRowsPerTransaction - 1 || i + 1 == exchanges.size()) {
        if (i + 1 == exchanges.size()) {  // session totals, once, in the last transaction
          update_session.bind(1, static_cast<std::int64_t>(session));
          update_session.bind(2, static_cast<std::int64_t>(exchanges.size()));
          update_session.bind(3, static_cast<std::int64_t>(errors));
          bind_optional(update_session, 4, first);
          bind_optional(update_session, 5, last);
          update_session.exec();
          update_session.reset();
        }
        commit.exec();
        commit.reset();
        ++r.transactions;
      }
      ++r.rows;
    }
    r.seconds = seconds_since(t0);
  }
  r.wal_at_commit = file_size(path + "-wal");
  check(trafficdb::finish_session(*db, session, trafficdb::session_status::imported, std::nullopt),
        "finish_session");
  db.reset();
  r.db_bytes = file_size(path);
  r.wal_bytes = file_size(path + "-wal");
  return r;
}

// ---------------------------------------------------------------- output

std::string baseline_path_for(const std::string& path) {
  const std::string suffix = ".db";
  if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
    return path.substr(0, path.size() - suffix.size()) + ".baseline.db";
  return path + ".baseline.db";
}

int run(const Options& o, const Args& args) {
  RemoveOnExit cleanup;
  const bool temporary = o.db_path.empty();
  const std::string writer_path = temporary ? scratch_stem("writer-bench") + ".db" : o.db_path;
  const std::string baseline_path = baseline_path_for(writer_path);
  if (temporary) {
    cleanup.add_database(writer_path);
    cleanup.add_database(baseline_path);
  }
  for (const std::string& p : {writer_path, baseline_path}) {
    if (file_exists(p) || file_exists(p + "-wal")) {
      std::cerr << "writer_bench: " << p << " already exists; the benchmark needs a fresh file (remove it first)\n";
      return 1;
    }
  }

  std::cout << "SQLite " << sqlite3_libversion() << " (compiled against " << SQLITE_VERSION << ")\n";
  std::cout << "writer db: " << writer_path << (temporary ? " (temporary)" : "") << "\n";

  const WriterWorkload w = generate_writer_workload(o.workload);
  const std::uint64_t count = o.workload.count;
  const double n = static_cast<double>(count);
  const double avg_in = static_cast<double>(w.input_bytes) / n;
  const double avg_body =
      w.response_bodies ? static_cast<double>(w.response_body_bytes) / static_cast<double>(w.response_bodies) : 0.0;
  std::cout << "generated " << count << " exchanges in " << fixed(w.seconds, 2) << " s (not timed): "
            << fixed(static_cast<double>(w.input_bytes) / 1e6, 1) << " MB input, " << fixed(avg_in, 0)
            << " B/exchange, " << w.response_bodies << " response bodies averaging " << fixed(avg_body, 0) << " B, "
            << w.request_bodies << " request bodies; distinct response bodies: "
            << (o.workload.distinct_bodies ? std::to_string(o.workload.distinct_bodies) : std::string("all")) << "\n";

  // Each round: fresh files; the writer consumes (moves) a copy of the
  // workload, the baseline reads it.
  std::vector<RunResult> writer_runs, baseline_runs;
  const bool baseline = !o.no_baseline;
  run_rounds(
      o.repeat, baseline,
      [&](const Round& round) {
        if (round.number > 1) remove_database(writer_path);
        std::vector<Exchange> input = w.exchanges;  // untimed copy
        writer_runs.push_back(run_writer(o, writer_path, input));
        if (writer_runs.back().rows != count)
          throw std::runtime_error("writer committed " + std::to_string(writer_runs.back().rows) +
                                   " rows, expected " + std::to_string(count));
      },
      [&](const Round& round) {
        if (round.number > 1) remove_database(baseline_path);
        baseline_runs.push_back(run_baseline(baseline_path, w.exchanges));
      },
      [&](const Round& round) {
        if (o.repeat <= 1) return;
        std::cout << round.prefix() << "writer " << fixed(n / writer_runs.back().seconds, 0) << " rows/s";
        if (baseline)
          std::cout << ", baseline " << fixed(n / baseline_runs.back().seconds, 0) << " rows/s, ratio "
                    << fixed(baseline_runs.back().seconds / writer_runs.back().seconds, 3)
                    << round.first_note("baseline");
        std::cout << "\n";
      });

  // Sizes, commits and body counts are the same every round; rates are medians.
  const RunResult& wr = writer_runs.back();
  std::vector<double> w_rates, b_rates, ratios;
  for (const RunResult& r : writer_runs) w_rates.push_back(n / r.seconds);
  for (std::size_t i = 0; i < baseline_runs.size(); ++i) {
    b_rates.push_back(n / baseline_runs[i].seconds);
    ratios.push_back(baseline_runs[i].seconds / writer_runs[i].seconds);
  }
  const double w_rows = median(w_rates);
  const double w_seconds = n / w_rows;
  const double w_mb = static_cast<double>(w.input_bytes) / 1e6 / w_seconds;
  const double w_disk = static_cast<double>(wr.db_bytes + wr.wal_bytes) / n;
  const std::string of = over_rounds(o.repeat, "median");
  std::string line = "writer: " + std::to_string(count) + " exchanges, " + fixed(w_rows, 0) + " rows/s" + of + ", " +
                     fixed(w_mb, 1) + " MB/s input, " + fixed(w_disk, 0) + " B/exchange on disk, bodies " +
                     std::to_string(wr.bodies_stored) + " stored / " + std::to_string(wr.bodies_reused) +
                     " reused, " + std::to_string(wr.transactions) + " commits";
  Report report("writer", args);
  report.json()
      .string("sqlite_version", sqlite3_libversion())
      .integer("count", count)
      .integer("body_bytes", o.workload.body_bytes)
      .integer("distinct_bodies", o.workload.distinct_bodies)
      .integer("batch", o.batch)
      .integer("seed", o.workload.seed)
      .integer("repeat", o.repeat)
      .integer("input_bytes", w.input_bytes)
      .number("generation_s", w.seconds, 4)
      .boolean("generation_timed", false)
      .number("seconds", w_seconds, 4)
      .number("rows_per_s", w_rows, 1)
      .numbers("rows_per_s_runs", w_rates, 1)
      .number("input_mb_per_s", w_mb, 2)
      .integer("db_bytes", wr.db_bytes)
      .integer("wal_bytes", wr.wal_bytes)
      .integer("wal_bytes_at_close", wr.wal_at_commit)
      .number("bytes_per_exchange", w_disk, 1)
      .integer("transactions", wr.transactions)
      .integer("bodies_stored", wr.bodies_stored)
      .integer("bodies_reused", wr.bodies_reused);
  if (!baseline_runs.empty()) {
    const RunResult& br = baseline_runs.back();
    const double b_rows = median(b_rates);
    const double b_mb = static_cast<double>(w.input_bytes) / 1e6 / (n / b_rows);
    const double b_disk = static_cast<double>(br.db_bytes + br.wal_bytes) / n;
    const double ratio = median(ratios);
    line += "; baseline (raw SQLite, " + std::to_string(kBaselineRowsPerTransaction) + " rows/txn, no dedup): " +
            fixed(b_rows, 0) + " rows/s, " + fixed(b_mb, 1) + " MB/s, " + fixed(b_disk, 0) +
            " B/exchange; writer/baseline rows/s = " + fixed(ratio, 3) + of;
    report.json()
        .integer("baseline_rows_per_txn", kBaselineRowsPerTransaction)
        .number("baseline_seconds", n / b_rows, 4)
        .number("baseline_rows_per_s", b_rows, 1)
        .numbers("baseline_rows_per_s_runs", b_rates, 1)
        .number("baseline_input_mb_per_s", b_mb, 2)
        .integer("baseline_db_bytes", br.db_bytes)
        .integer("baseline_wal_bytes", br.wal_bytes)
        .number("baseline_bytes_per_exchange", b_disk, 1)
        .integer("baseline_bodies", br.bodies_stored)
        .number("ratio_rows_per_s", ratio, 4)
        .numbers("ratio_runs", ratios, 4);
  }
  std::cout << line << "\n";
  report.finish();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  Args args("writer_bench",
            "Writes N synthetic exchanges through trafficdb's Writer into a fresh database,\n"
            "then the same rows through plain SQLite inserts (the baseline), and reports\n"
            "rows/s, MB/s of input, bytes per exchange on disk and the writer/baseline ratio.\n");
  declare(args, o);
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
  if (o.repeat > 1 && !o.db_path.empty()) return args.usage_error("--repeat needs the temporary database (no --db)");
  try {
    return run(o, args);
  } catch (const std::exception& e) {
    std::cerr << "writer_bench: " << e.what() << "\n";
    return 1;
  }
}
