// query_bench: latency of the query layer on a large store.
//
// 1. Builds a store of N exchanges (default 1,000,000; query_workload.h)
//    through the Writer, in 4 sessions, then runs index_search_batch until
//    the trigram indexes are complete. Or reuses an existing store
//    (--db PATH --reuse).
// 2. Opens it read-only with open_query_database and times typical queries
//    (query_cases.h: find_exchanges with a dozen filters, cursor pages,
//    detail, stats, body search, count), each repeated with random
//    parameters from a fixed seed but a fixed shape, and reports p50 / p99
//    against the targets: filters and cursor pages under 10 ms p99, detail
//    under 5 ms, body search under 100 ms; stats and count are reported
//    without a target.
//
// Prints a table, the database size and rows, the reproduce line and a JSON
// line ({"bench":"query",...}) for scripts. See bench/README.md.

#include <sqlite3.h>

#include <cstdint>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "bench_args.h"
#include "bench_report.h"
#include "check_status.h"
#include "query/query_database.h"
#include "query_cases.h"
#include "query_workload.h"
#include "scratch_files.h"
#include "store/database.h"
#include "store/search_index.h"
#include "store/sessions.h"
#include "store/writer.h"

using namespace bench;
using namespace bench::query_cases;

namespace {

constexpr std::size_t kIndexBatchRows = 20000;

struct Options {
  std::uint64_t count = 1000000;
  std::string db_path;  // "" = temporary file, deleted afterwards unless --keep
  bool reuse = false;
  bool keep = false;
  std::uint64_t body_bytes = 700;
  std::uint64_t seed = 1;
  std::uint64_t runs = 200;       // runs of a fast query
  std::uint64_t slow_runs = 20;   // runs of a slow one
  std::uint64_t slow_ms = 20;     // warm-up median above this: slow
  std::string only;               // run only queries whose name contains this
  bool newest_first = false;      // filter pages newest first
};

void declare(Args& args, Options& o) {
  args.number("--count N", o.count, "exchanges to generate", 1)
      .text("--db PATH", o.db_path,
            "database file. Without --reuse it must not exist; it is built\n"
            "and kept. Default: a temporary file in $TMPDIR or /tmp, deleted\n"
            "afterwards (unless --keep).")
      .flag("--reuse", o.reuse,
            "with --db: use PATH as it is when it exists (--count, --seed and\n"
            "--body-bytes then do not matter for it); build it there otherwise")
      .flag("--keep", o.keep, "keep the temporary database (its path is printed)")
      .number("--body-bytes B", o.body_bytes, "average size of the unique JSON response bodies", 16)
      .number("--seed S", o.seed, "PRNG seed for the data and the query parameters")
      .number("--runs N", o.runs, "runs of a fast query", 1)
      .number("--slow-runs N", o.slow_runs, "runs of a slow query", 1)
      .number("--slow-ms MS", o.slow_ms, "a query whose warm-up median exceeds this is slow")
      .text("--only TEXT", o.only, "run only the queries whose name contains TEXT")
      .flag("--newest-first", o.newest_first,
            "filter pages newest first (trafficdb query --latest);\n"
            "default oldest first, as `trafficdb query` pages by default");
}

// Sessions the rows are split into, in id order (contiguous blocks).
struct SessionDef {
  const char* name;
  std::string_view source;
  double share;
};
const SessionDef kSessions[] = {{"query_bench 1 (har import)", trafficdb::session_source::har, 0.35},
                                {"query_bench 2 (charles import)", trafficdb::session_source::charles, 0.30},
                                {"query_bench 3 (charles live)", trafficdb::session_source::charles_live, 0.25},
                                {"query_bench 4 (pcap)", trafficdb::session_source::pcap, 0.10}};

// ---------------------------------------------------------------- build

struct BuildResult {
  bool built = false;
  double write_s = 0;  // generate + consume + close
  double index_s = 0;  // index_search_batch until complete
  std::uint64_t rare_word_bodies = 0;
};

BuildResult build_store(const Options& o, const std::string& path) {
  BuildResult r;
  r.built = true;
  std::cerr << "building " << o.count << " exchanges in " << path << " ...\n";
  const auto t0 = Clock::now();
  {
    query_workload::QueryWorkload gen(o.seed, o.count, o.body_bytes);
    std::unique_ptr<trafficdb::Writer> writer = check(trafficdb::Writer::open(path), "Writer::open");
    std::uint64_t index = 0;
    double cumulative = 0;
    for (std::size_t s = 0; s < std::size(kSessions); ++s) {
      const SessionDef& def = kSessions[s];
      cumulative += def.share;
      const std::uint64_t end =
          s + 1 == std::size(kSessions) ? o.count : static_cast<std::uint64_t>(cumulative * static_cast<double>(o.count));
      const bool live = def.source == trafficdb::session_source::charles_live;
      const std::int64_t session = check(
          writer->create_session({def.name, def.source, "", trafficdb::session_status::recording, ""}), "create_session");
      for (; index < end; ++index) {
        check(writer->consume(session, gen.next(index)), "consume");
        if ((index + 1) % 100000 == 0) std::cerr << "  " << index + 1 << " rows, " << fixed(seconds_since(t0), 1) << " s\n";
      }
      check(writer->finish_session(session, live ? trafficdb::session_status::stopped : trafficdb::session_status::imported,
                                   std::nullopt),
            "finish_session");
    }
    check(writer->close(), "close");
    r.rare_word_bodies = gen.rare_word_bodies();
  }
  r.write_s = seconds_since(t0);
  std::cerr << "written in " << fixed(r.write_s, 1) << " s\n";
  return r;
}

// Runs index_search_batch until nothing is left; returns seconds.
double complete_search_index(const std::string& path) {
  auto db = check(trafficdb::open_database(path, trafficdb::OpenMode::read_write), "open_database");
  const auto t0 = Clock::now();
  bool remaining = true;
  std::uint64_t batches = 0;
  while (remaining) {
    check(trafficdb::index_search_batch(*db, kIndexBatchRows, remaining), "index_search_batch");
    if (++batches % 10 == 0)
      std::cerr << "  indexed " << batches * kIndexBatchRows << " rows, " << fixed(seconds_since(t0), 1) << " s\n";
  }
  const double s = seconds_since(t0);
  db->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return s;
}

// ---------------------------------------------------------------- output

std::string pad(std::string s, std::size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

// The table, one line per query; returns how many targets were met and missed.
std::pair<int, int> print_table(const std::vector<QueryResult>& results) {
  std::cout << "\n"
            << pad("query", 38) << pad("runs", 6, true) << pad("p50 ms", 10, true) << pad("p99 ms", 10, true)
            << pad("max ms", 10, true) << pad("avg rows", 10, true) << pad("target", 9, true) << "  result\n";
  std::cout << std::string(38 + 6 + 10 * 4 + 9 + 8, '-') << "\n";
  int passed = 0, failed = 0;
  for (const QueryResult& r : results) {
    std::string verdict = "-";
    if (r.target_ms) {
      verdict = r.pass() ? "pass" : "FAIL";
      (r.pass() ? passed : failed) += 1;
    }
    std::cout << pad(r.label, 38) << pad(std::to_string(r.runs), 6, true) << pad(fixed(r.p50, 2), 10, true)
              << pad(fixed(r.p99, 2), 10, true) << pad(fixed(r.max, 2), 10, true)
              << pad(fixed(r.avg_rows, r.avg_rows >= 100 ? 0 : 1), 10, true)
              << pad(r.target_ms ? "< " + fixed(*r.target_ms, 0) : std::string("-"), 9, true) << "  " << verdict << "\n";
  }
  std::cout << "\n" << passed << " of " << passed + failed << " targets met";
  if (failed) {
    std::cout << "; missed:";
    for (const QueryResult& r : results)
      if (!r.pass()) std::cout << " " << r.name;
  }
  std::cout << "\n(avg rows: page items, stats groups, or the count; p99 is the nearest rank, "
               "i.e. the maximum when runs < 100)\n";
  return {passed, failed};
}

// The "queries" array of the JSON line.
std::string queries_json(const std::vector<QueryResult>& results) {
  std::string out = "[";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const QueryResult& r = results[i];
    JsonObject q;
    q.string("name", r.name)
        .integer("runs", r.runs)
        .number("p50_ms", r.p50, 3)
        .number("p99_ms", r.p99, 3)
        .number("max_ms", r.max, 3)
        .number("avg_rows", r.avg_rows, 1);
    if (r.target_ms) q.number("target_ms", *r.target_ms, 0).boolean("pass", r.pass());
    else q.null("target_ms").null("pass");
    out += (i ? "," : "") + q.str();
  }
  return out + "]";
}

// ---------------------------------------------------------------- main

int run(const Options& o, const Args& args) {
  const bool temporary = o.db_path.empty();
  const std::string path = temporary ? scratch_stem("query-bench") + ".db" : o.db_path;
  struct Cleanup {
    std::string path;
    bool active;
    ~Cleanup() {
      if (active) remove_database(path);
    }
  } cleanup{path, temporary && !o.keep};

  std::cout << "SQLite " << sqlite3_libversion() << " (compiled against " << SQLITE_VERSION << ")\n";
  BuildResult build;
  const bool exists = file_exists(path);
  if (exists && !o.reuse) {
    std::cerr << "query_bench: " << path << " already exists; pass --reuse to use it, or remove it\n";
    return 1;
  }
  if (!exists) build = build_store(o, path);
  std::cout << "db: " << path << (temporary ? (o.keep ? " (temporary, kept)" : " (temporary)") : "")
            << (build.built ? ", built" : ", reused") << "\n";
  std::cerr << "completing the search indexes ...\n";
  build.index_s = complete_search_index(path);
  if (build.built)
    std::cout << "build: " << o.count << " exchanges generated and written through the Writer in "
              << fixed(build.write_s, 1) << " s (" << fixed(static_cast<double>(o.count) / build.write_s, 0)
              << " rows/s, generation included); search indexes completed in " << fixed(build.index_s, 1)
              << " s; total " << fixed(build.write_s + build.index_s, 1) << " s\n";
  else
    std::cout << "search index catch-up: " << fixed(build.index_s, 2) << " s\n";

  auto db = check(trafficdb::open_query_database(path, trafficdb::OpenMode::read_only), "open_query_database");
  std::mt19937_64 info_rng(o.seed ^ 0x5eedULL);
  const DataInfo d = read_data_info(*db, info_rng);
  const std::uint64_t db_bytes = file_size(path), wal_bytes = file_size(path + "-wal");
  std::int64_t bodies = 0;
  {
    SQLite::Statement st(*db, "SELECT count(*) FROM bodies");
    st.executeStep();
    bodies = st.getColumn(0).getInt64();
  }
  std::cout << "data: " << d.rows << " exchanges (ids " << d.min_id << ".." << d.max_id << "), " << bodies
            << " bodies, " << d.hosts.size() << " hosts, " << d.sessions.size() << " sessions, "
            << fixed(static_cast<double>(d.last_started - d.first_started) / 3.6e9, 1) << " h of traffic\n";
  std::cout << "database size: " << fixed(static_cast<double>(db_bytes) / 1e6, 1) << " MB (+ "
            << fixed(static_cast<double>(wal_bytes) / 1e6, 1) << " MB WAL), "
            << fixed(static_cast<double>(db_bytes + wal_bytes) / static_cast<double>(d.rows), 0) << " B/exchange\n";
  if (build.built)
    std::cout << "rare words put into " << build.rare_word_bodies << " response bodies ("
              << fixed(100.0 * static_cast<double>(build.rare_word_bodies) /
                           static_cast<double>(query_workload::kRareWordCount) / static_cast<double>(d.rows),
                       3)
              << "% of rows per word)\n";
  std::cout << "filter pages: limit 50, " << (o.newest_first ? "newest first" : "oldest first (ascending id)")
            << "; warm-up: 3 untimed runs per query, median > " << o.slow_ms << " ms -> " << o.slow_runs
            << " runs, else " << o.runs << "\n"
            << std::flush;

  const std::vector<QueryDef> queries = define_queries(*db, d, o.newest_first);
  const RunCounts counts{o.runs, o.slow_runs, static_cast<double>(o.slow_ms)};
  std::vector<QueryResult> results;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (!o.only.empty() && queries[i].name.find(o.only) == std::string::npos) continue;
    std::cerr << "  " << queries[i].name << " ..." << std::flush;
    const auto t0 = Clock::now();
    results.push_back(measure(queries[i], o.seed * 1000003ULL + i, counts));
    std::cerr << " " << fixed(seconds_since(t0), 1) << " s\n";
  }
  const auto [passed, failed] = print_table(results);

  Report report("query", args);
  report.json()
      .string("sqlite_version", sqlite3_libversion())
      .integer("rows", d.rows)
      .integer("bodies", bodies)
      .integer("db_bytes", db_bytes)
      .integer("wal_bytes", wal_bytes)
      .boolean("built", build.built)
      .integer("seed", o.seed)
      .boolean("newest_first", o.newest_first);
  if (build.built)
    report.json()
        .integer("count", o.count)
        .integer("body_bytes", o.body_bytes)
        .number("build_write_s", build.write_s, 3)
        .number("build_index_s", build.index_s, 3)
        .number("build_s", build.write_s + build.index_s, 3);
  else
    report.json().number("index_catchup_s", build.index_s, 3);
  report.json().raw("queries", queries_json(results)).integer("passed", passed).integer("failed", failed);
  report.finish();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  Args args("query_bench",
            "Builds a store of N realistic exchanges through trafficdb's Writer (or reuses one),\n"
            "completes its search indexes, then times typical queries of the query layer and\n"
            "reports p50/p99 latency against the targets (filters and cursor pages < 10 ms p99,\n"
            "detail < 5 ms, body search < 100 ms; stats and count are reported only).\n");
  declare(args, o);
  if (const auto exit_code = args.parse(argc, argv)) return *exit_code;
  if (o.reuse && o.db_path.empty()) return args.usage_error("--reuse needs --db PATH");
  try {
    return run(o, args);
  } catch (const std::exception& e) {
    std::cerr << "query_bench: " << e.what() << "\n";
    return 1;
  }
}
