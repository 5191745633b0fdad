#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using namespace trafficdb;
using nlohmann::json;

namespace {

json entry(int n) {
  return {{"startedDateTime", "2026-01-15T10:00:0" + std::to_string(n % 10) + ".000Z"},
          {"time", 10 + n},
          {"request", {{"method", "GET"}, {"url", "https://example.com/item/" + std::to_string(n)},
                       {"httpVersion", "HTTP/1.1"}, {"headers", json::array()}}},
          {"response", {{"status", n == 2 ? 404 : 200}, {"statusText", "OK"}, {"headers", json::array()},
                        {"content", {{"size", 2}, {"text", "ok"}}}}}};
}

std::string har(const std::vector<json>& entries) {
  return json{{"log", {{"version", "1.2"}, {"entries", entries}}}}.dump(1);
}

std::string write_har(const test::TempDir& dir, const std::string& name, const std::vector<json>& entries) {
  const std::string path = dir.file(name);
  test::write_file(path, har(entries));
  return path;
}

int count_rows(const std::string& db, const std::string& table) {
  auto r = test::run_trafficdb({"--db", db, "sql", "SELECT count(*) AS n FROM " + table, "--json"});
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out)[0]["n"].get<int>();
}

}  // namespace

TEST_CASE("import stores a HAR file as a session and exits 0", "[cli]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  const std::string file = write_har(dir, "good.har", {entry(1), entry(2), entry(3)});
  auto r = test::run_trafficdb({"--db", db, "import", file, "--name", "checkout"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("session 1, 3 exchanges stored") != std::string::npos);

  auto sessions = test::run_trafficdb({"--db", db, "sessions", "--json"});
  REQUIRE(sessions.exit_code == 0);
  const json list = json::parse(sessions.out);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["name"] == "checkout");
  CHECK(list[0]["source"] == "har");
  CHECK(list[0]["status"] == "imported");
  CHECK(list[0]["exchange_count"] == 3);
  CHECK(list[0]["first_exchange_at"] == "2026-01-15T10:00:01.000000Z");

  auto table = test::run_trafficdb({"--db", db, "sessions"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("checkout") != std::string::npos);
}

TEST_CASE("Importing the same file twice makes two sessions", "[cli]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  const std::string file = write_har(dir, "a.har", {entry(1), entry(2)});
  REQUIRE(test::run_trafficdb({"--db", db, "import", file}).exit_code == 0);
  REQUIRE(test::run_trafficdb({"--db", db, "import", file}).exit_code == 0);
  CHECK(count_rows(db, "sessions") == 2);
  CHECK(count_rows(db, "exchanges") == 4);
  CHECK(count_rows(db, "bodies") == 1);  // the same body, stored once
}

TEST_CASE("Exit status 1: usage errors", "[cli]") {
  CHECK(test::run_trafficdb({}).exit_code == 1);
  CHECK(test::run_trafficdb({"frobnicate"}).exit_code == 1);
  CHECK(test::run_trafficdb({"import"}).exit_code == 1);
  CHECK(test::run_trafficdb({"import", "/no/such/file.har"}).exit_code == 1);
  CHECK(test::run_trafficdb({"sql"}).exit_code == 1);
  CHECK(test::run_trafficdb({"sessions", "--bogus"}).exit_code == 1);
  auto r = test::run_trafficdb({"import", "x.har", "--format", "doc"});
  CHECK(r.exit_code == 1);
  CHECK_FALSE(r.err.empty());
}

TEST_CASE("--help explains every command and exits 0", "[cli]") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"import", "--help"}, {"sessions", "--help"}, {"sql", "--help"}}) {
    auto r = test::run_trafficdb(args);
    INFO(args.front());
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
  CHECK(test::run_trafficdb({"import", "--help"}).out.find("Exit status") != std::string::npos);
}

TEST_CASE("Exit status 2: unusable input stores nothing and changes nothing", "[cli][hostile]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  REQUIRE(test::run_trafficdb({"--db", db, "import", write_har(dir, "ok.har", {entry(1)})}).exit_code == 0);

  test::write_file(dir.file("garbage.har"), "this is not json");
  auto garbage = test::run_trafficdb({"--db", db, "import", dir.file("garbage.har")});
  CHECK(garbage.exit_code == 2);
  CHECK(garbage.err.find("garbage.har") != std::string::npos);

  test::write_file(dir.file("cut.har"), "{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"http");
  auto cut = test::run_trafficdb({"--db", db, "import", dir.file("cut.har"), "--format", "har"});
  CHECK(cut.exit_code == 2);
  CHECK(cut.err.find("byte ") != std::string::npos);

  json bad = entry(1);
  bad["request"].erase("url");
  auto all_bad = test::run_trafficdb({"--db", db, "import", write_har(dir, "bad.har", {bad, bad})});
  CHECK(all_bad.exit_code == 2);
  CHECK(all_bad.err.find("entry 0 (byte ") != std::string::npos);

  auto not_yet = test::run_trafficdb({"--db", db, "import", dir.file("ok.har"), "--format", "pcap"});
  CHECK(not_yet.exit_code == 2);

  // None of these left a session or a row behind.
  CHECK(count_rows(db, "sessions") == 1);
  CHECK(count_rows(db, "exchanges") == 1);

  auto no_db = test::run_trafficdb({"--db", dir.file("missing.db"), "sessions"});
  CHECK(no_db.exit_code == 2);
  CHECK(no_db.err.find("missing.db") != std::string::npos);
  auto bad_sql = test::run_trafficdb({"--db", db, "sql", "SELECT nope FROM nothing"});
  CHECK(bad_sql.exit_code == 2);
  auto write_sql = test::run_trafficdb({"--db", db, "sql", "DELETE FROM exchanges"});
  CHECK(write_sql.exit_code == 2);
  CHECK(count_rows(db, "exchanges") == 1);
}

TEST_CASE("Exit status 3: stored with errors, each named with its position", "[cli][hostile]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  json bad = entry(2);
  bad["request"]["url"] = 17;
  const std::string file = write_har(dir, "mixed.har", {entry(1), bad, entry(3)});
  auto r = test::run_trafficdb({"--db", db, "import", file});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("entry 1 (byte ") != std::string::npos);
  CHECK(r.err.find("request.url") != std::string::npos);
  CHECK(r.out.find("2 exchanges stored, 1 rejected") != std::string::npos);
  auto s = test::run_trafficdb({"--db", db, "sql", "SELECT status, error FROM sessions", "--json"});
  const json row = json::parse(s.out)[0];
  CHECK(row["status"] == "imported");
  CHECK(row["error"].get<std::string>().find("1 entries rejected") != std::string::npos);

  // A file cut short after two entries: those two are kept.
  const std::string full = har({entry(1), entry(2), entry(3)});
  test::write_file(dir.file("short.har"), full.substr(0, full.find("item/3")));
  auto cut = test::run_trafficdb({"--db", db, "import", dir.file("short.har")});
  CHECK(cut.exit_code == 3);
  CHECK(cut.out.find("2 exchanges stored") != std::string::npos);
}

TEST_CASE("The database comes from --db, else $TRAFFICDB, else ./traffic.db", "[cli]") {
  test::TempDir dir;
  const std::string file = write_har(dir, "a.har", {entry(1)});
  REQUIRE(test::run_trafficdb({"import", file}, {"TRAFFICDB=" + dir.file("env.db")}).exit_code == 0);
  CHECK(count_rows(dir.file("env.db"), "exchanges") == 1);
  auto r = test::run_command({"sh", "-c", "cd " + dir.path() + " && env -u TRAFFICDB " TRAFFICDB_BINARY " import a.har"});
  REQUIRE(r.exit_code == 0);
  CHECK(count_rows(dir.file("traffic.db"), "exchanges") == 1);
}

TEST_CASE("sql prints tables and JSON", "[cli]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  REQUIRE(test::run_trafficdb({"--db", db, "import", write_har(dir, "a.har", {entry(1), entry(2)})}).exit_code == 0);
  auto table = test::run_trafficdb({"--db", db, "sql", "SELECT id, status FROM exchanges ORDER BY id"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("id  status") == 0);
  CHECK(table.out.find("(2 rows)") != std::string::npos);
  auto js = test::run_trafficdb({"--db", db, "sql", "SELECT id, url, resp_body FROM exchanges_view", "--json"});
  REQUIRE(js.exit_code == 0);
  const json rows = json::parse(js.out);
  CHECK(rows[1]["url"] == "https://example.com/item/2");
  CHECK(rows[1]["resp_body"] == "ok");
  auto limited = test::run_trafficdb({"--db", db, "sql", "SELECT id FROM exchanges", "--max-rows", "1"});
  CHECK(limited.exit_code == 0);
  CHECK(limited.err.find("--max-rows") != std::string::npos);
}

TEST_CASE("The shared HAR sample imports through the CLI", "[cli][shared]") {
  const std::string samples = test::require_shared_samples();
  if (samples.empty()) return;
  test::TempDir dir;
  auto r = test::run_trafficdb({"--db", dir.file("t.db"), "import", samples + "/har/synthetic-charles.har"});
  CHECK(r.exit_code == 0);
  CHECK(count_rows(dir.file("t.db"), "exchanges") == 5);
}

TEST_CASE("The bundled example imports", "[cli]") {
  test::TempDir dir;
  auto r = test::run_trafficdb({"--db", dir.file("t.db"), "import", std::string(TRAFFICDB_SOURCE_DIR) + "/examples/sample.har"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(count_rows(dir.file("t.db"), "exchanges") >= 8);
}

TEST_CASE("Charles .chlsj imports through the CLI with the same exit statuses", "[cli][charles]") {
  test::TempDir dir;
  const std::string db = dir.file("t.db");
  json t = {{"status", "COMPLETE"}, {"method", "GET"}, {"scheme", "https"}, {"host", "api.example.com"},
            {"actualPort", 443}, {"path", "/a"}, {"query", ""}, {"times", {{"start", "2026-01-15T10:00:00.000Z"}}},
            {"response", {{"status", 200}, {"body", {{"text", "ok"}}}}}};
  json bad = t;
  bad.erase("host");
  test::write_file(dir.file("good.chlsj"), json::array({t, t}).dump());
  test::write_file(dir.file("mixed.chlsj"), json::array({t, bad}).dump());
  test::write_file(dir.file("bad.chlsj"), json::array({bad}).dump());
  auto good = test::run_trafficdb({"--db", db, "import", dir.file("good.chlsj")});
  CHECK(good.exit_code == 0);
  CHECK(good.out.find("2 exchanges stored") != std::string::npos);
  auto mixed = test::run_trafficdb({"--db", db, "import", dir.file("mixed.chlsj")});
  CHECK(mixed.exit_code == 3);
  CHECK(mixed.err.find("transaction 1 (byte ") != std::string::npos);
  CHECK(test::run_trafficdb({"--db", db, "import", dir.file("bad.chlsj")}).exit_code == 2);
  auto s = test::run_trafficdb({"--db", db, "sessions", "--json"});
  const json list = json::parse(s.out);
  REQUIRE(list.size() == 2);  // the unusable file left no session
  CHECK(list[0]["source"] == "charles");
}

TEST_CASE("mcp on a database that does not exist yet creates it and says so on stderr", "[cli][mcp]") {
  test::TempDir dir;
  const std::string db = dir.file("new.db");
  const auto first = test::run_trafficdb({"--db", db, "mcp"});  // stdin is empty: it exits at once
  CHECK(first.exit_code == 0);
  CHECK(first.err.find("created a new, empty database at " + db) != std::string::npos);
  const auto again = test::run_trafficdb({"--db", db, "mcp"});
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("created a new") == std::string::npos);
}
