// trafficdb retention / prune / delete as processes, and two imports and a
// pruner on one file at once.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "store/database.h"
#include "store/writer.h"
#include "tests/test_support.h"
#include "tests/written_store.h"

using namespace trafficdb;
using nlohmann::json;

namespace {

// `count` entries; those with i < old_count started in 2020, the rest now.
std::string har_file(const test::TempDir& dir, const std::string& name, int first, int count, int old_count) {
  json entries = json::array();
  const std::string today = format_iso8601(now_micros()).substr(0, 10);
  for (int i = 0; i < count; ++i) {
    const int n = first + i;
    char time[16];
    std::snprintf(time, sizeof time, "%02d:%02d:%02d", (i / 3600) % 24, (i / 60) % 60, i % 60);
    entries.push_back(
        {{"startedDateTime", (i < old_count ? std::string("2020-01-01") : today) + "T" + time + ".000Z"},
         {"time", 3},
         {"request", {{"method", "GET"}, {"url", "https://example.com/item/" + std::to_string(n)},
                      {"httpVersion", "HTTP/1.1"}, {"headers", json::array()}}},
         {"response", {{"status", 200}, {"statusText", "OK"}, {"headers", json::array()},
                       {"content", {{"size", 1500}, {"mimeType", "application/json"},
                                    {"text", "{\"n\":" + std::to_string(n) + ",\"pad\":\"" + std::string(1500, 'p') + "\"}"}}}}}});
  }
  const std::string path = dir.file(name);
  test::write_file(path, json{{"log", {{"version", "1.2"}, {"entries", entries}}}}.dump());
  return path;
}

std::int64_t count(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

// The child's exit status once it has ended, -1 while it runs.
int exited(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("Two imports and a pruner on one file at once: no 'database is locked', no lost rows", "[retention][cli]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  constexpr int kPerFile = 6000, kOld = 3000;
  REQUIRE(test::run_trafficdb({"--db", db, "import", har_file(dir, "seed.har", 0, 10, 10)}).exit_code == 0);
  const std::string a = har_file(dir, "a.har", 100000, kPerFile, kOld);
  const std::string b = har_file(dir, "b.har", 200000, kPerFile, kOld);

  const pid_t import_a = test::start_process({TRAFFICDB_BINARY, "--db", db, "import", a}, {}, dir.file("a.out"), dir.file("a.err"));
  const pid_t import_b = test::start_process({TRAFFICDB_BINARY, "--db", db, "import", b}, {}, dir.file("b.out"), dir.file("b.err"));
  // Prunes over and over while both import.
  int prunes = 0, a_exit = -1, b_exit = -1;
  std::string prune_errors;
  while ((a_exit < 0 || b_exit < 0) && prunes < 500) {
    auto r = test::run_trafficdb({"--db", db, "prune", "--older-than", "365d", "--step-target", "10ms"});
    ++prunes;
    if (r.exit_code != 0) prune_errors += r.err;
    if (a_exit < 0) a_exit = exited(import_a);
    if (b_exit < 0) b_exit = exited(import_b);
  }
  for (auto [pid, exit] : {std::pair{import_a, &a_exit}, std::pair{import_b, &b_exit}}) {
    int status = 0;
    if (*exit < 0 && ::waitpid(pid, &status, 0) == pid) *exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }
  INFO(test::read_file(dir.file("a.err")) << test::read_file(dir.file("b.err")) << prune_errors);
  CHECK(a_exit == 0);
  CHECK(b_exit == 0);
  CHECK(prune_errors.empty());
  CHECK(prunes >= 2);
  auto last = test::run_trafficdb({"--db", db, "prune", "--older-than", "365d", "--json"});
  REQUIRE(last.exit_code == 0);
  for (const char* err : {"a.err", "b.err"}) CHECK(test::read_file(dir.file(err)).find("locked") == std::string::npos);

  SQLite::Database d(db, SQLite::OPEN_READWRITE);
  // Every row imported is either still there or counted as pruned.
  CHECK(count(d, "SELECT count(*) FROM exchanges") + count(d, "SELECT pruned_exchanges FROM retention") ==
        10 + 2 * kPerFile);
  CHECK(count(d, "SELECT count(*) FROM exchanges") == 2 * (kPerFile - kOld));
  CHECK(count(d, "SELECT sum(exchange_count) FROM sessions") == 2 * (kPerFile - kOld));
  CHECK(count(d, "SELECT count(*) FROM sessions WHERE exchange_count + pruned_count != (CASE id WHEN 1 THEN 10 ELSE " +
                     std::to_string(kPerFile) + " END)") == 0);
  // No body is left without an exchange, and the search index holds no removed row.
  CHECK(count(d, "SELECT count(*) FROM bodies b WHERE NOT EXISTS (SELECT 1 FROM exchanges e WHERE "
                 "e.req_body_id = b.id OR e.resp_body_id = b.id)") == 0);
  for (const char* table : {"bodies_fts", "urls_fts"})
    CHECK_NOTHROW(d.exec(std::string("INSERT INTO ") + table + "(" + table + ", rank) VALUES('integrity-check', 0)"));
}

TEST_CASE("trafficdb retention sets, shows and clears the policy; prune and sessions say what was removed",
          "[retention][cli]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  REQUIRE(test::run_trafficdb({"--db", db, "import", har_file(dir, "a.har", 0, 200, 150)}).exit_code == 0);

  auto none = test::run_trafficdb({"--db", db, "prune"});
  CHECK(none.exit_code == 1);
  CHECK(none.err.find("no retention policy is set") != std::string::npos);
  auto bad = test::run_trafficdb({"--db", db, "retention", "set", "--max-size", "lots"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("--max-size: 'lots' is not a size") != std::string::npos);
  CHECK(test::run_trafficdb({"--db", db, "retention", "set"}).exit_code == 1);

  auto set = test::run_trafficdb({"--db", db, "retention", "set", "--max-age", "30d", "--max-size", "2GB"});
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  CHECK(set.out.find("max age 30d, max size 2.00 GB") != std::string::npos);

  auto pruned = test::run_trafficdb({"--db", db, "prune", "--json"});
  REQUIRE(pruned.exit_code == 0);
  const json report = json::parse(pruned.out);
  CHECK(report["exchanges"] == 150);
  CHECK(report["bodies"] == 150);
  CHECK(report["bytes_given_back"].get<std::int64_t>() >= 0);
  CHECK(report["longest_step_ms"].get<double>() > 0);

  auto shown = test::run_trafficdb({"--db", db, "retention", "--json"});
  REQUIRE(shown.exit_code == 0);
  const json state = json::parse(shown.out);
  CHECK(state["retention"]["max_age"] == "30d");
  CHECK(state["retention"]["max_size_bytes"] == 2000000000);
  CHECK(state["pruned"]["exchanges"] == 150);
  CHECK(state["incremental_vacuum"] == true);
  CHECK(state["size_bytes"].get<std::int64_t>() > 0);

  auto sessions = test::run_trafficdb({"--db", db, "sessions"});
  REQUIRE(sessions.exit_code == 0);
  CHECK(sessions.out.find("retention: max age 30d, max size 2.00 GB; pruned 150 exchanges") != std::string::npos);
  auto listed = json::parse(test::run_trafficdb({"--db", db, "sessions", "--json"}).out);
  CHECK(listed[0]["pruned_count"] == 150);
  CHECK(listed[0]["exchange_count"] == 50);

  REQUIRE(test::run_trafficdb({"--db", db, "retention", "clear"}).exit_code == 0);
  CHECK(json::parse(test::run_trafficdb({"--db", db, "retention", "--json"}).out)["retention"]["max_age"].is_null());
}

TEST_CASE("trafficdb delete removes a session with what only it used, and refuses one being recorded", "[retention][cli]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  REQUIRE(test::run_trafficdb({"--db", db, "import", har_file(dir, "a.har", 0, 100, 0)}).exit_code == 0);
  REQUIRE(test::run_trafficdb({"--db", db, "import", har_file(dir, "b.har", 1000, 100, 0)}).exit_code == 0);

  auto deleted = test::run_trafficdb({"--db", db, "delete", "1"});
  INFO(deleted.err);
  REQUIRE(deleted.exit_code == 0);
  CHECK(deleted.out.find("deleted session 1 (100 exchanges)") != std::string::npos);
  {
    SQLite::Database d(db, SQLite::OPEN_READONLY);
    CHECK(count(d, "SELECT count(*) FROM exchanges") == 100);
    CHECK(count(d, "SELECT count(*) FROM bodies") == 100);
    CHECK(count(d, "SELECT count(*) FROM sessions") == 1);
  }
  auto missing = test::run_trafficdb({"--db", db, "delete", "1"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no session with id 1") != std::string::npos);

  // A session this test records into (it holds the recording lease).
  auto writer = Writer::open(db);
  REQUIRE(writer.is_ok());
  auto live = (*writer)->create_session({"live", session_source::har, "", session_status::recording, ""});
  REQUIRE(live.is_ok());
  CHECK(*live == 3);  // above the deleted 1 and the kept 2
  auto refused = test::run_trafficdb({"--db", db, "delete", std::to_string(*live)});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("is being recorded by a running trafficdb; stop that recording first") != std::string::npos);
  REQUIRE((*writer)->finish_session(*live, session_status::stopped, std::nullopt).is_ok());
  CHECK(test::run_trafficdb({"--db", db, "delete", std::to_string(*live)}).exit_code == 0);
}

TEST_CASE("trafficdb retention set before anything is recorded creates the database and says so", "[retention][cli]") {
  test::TempDir dir;
  const std::string db = dir.file("new.db");
  const test::CommandResult set = test::run_trafficdb({"--db", db, "retention", "set", "--max-age", "7d"});
  INFO(set.err);
  CHECK(set.exit_code == 0);
  CHECK(set.err.find("a new, empty database") != std::string::npos);
  const test::CommandResult shown = test::run_trafficdb({"--db", db, "retention"});
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.find("max age 7") != std::string::npos);
}

TEST_CASE("trafficdb index waits while a pruner merges an index, then indexes what was left", "[retention][cli]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  std::vector<Exchange> exchanges;
  for (int i = 0; i < 10; ++i) exchanges.push_back(test::make_exchange(i, "{\"n\":" + std::to_string(i) + "}"));
  test::write_imported_session(path, std::move(exchanges));
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  // As a pruner merging bodies_fts whole marks it (store/search_index_merge.h).
  db.exec("UPDATE search_state SET merging_since = " + std::to_string(now_micros()) + " WHERE name = 'bodies_fts'");
  std::thread merge_ends([&db] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    db.exec("UPDATE search_state SET merging_since = NULL WHERE name = 'bodies_fts'");
  });
  const auto started = std::chrono::steady_clock::now();
  const test::CommandResult indexed = test::run_trafficdb({"--db", path, "index"});
  const auto took = std::chrono::steady_clock::now() - started;
  merge_ends.join();
  INFO(indexed.err);
  CHECK(indexed.exit_code == 0);
  CHECK(indexed.err.find("waiting for a pruner to finish merging a search index") != std::string::npos);
  CHECK(indexed.out.find("search indexes up to date") != std::string::npos);
  CHECK(took >= std::chrono::milliseconds(1000));
  CHECK(count(db, "SELECT position FROM search_state WHERE name = 'bodies_fts'") >= 10);
  CHECK(count(db, "SELECT position FROM search_state WHERE name = 'urls_fts'") == 10);
}
