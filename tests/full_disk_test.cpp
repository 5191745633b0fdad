// A full disk: an import into a database on a small tmpfs runs out of space.
// It stops with a clear error, what earlier batches committed is intact
// (integrity_check), the session is failed with the reason, and once space
// is freed the next import works. Needs root (mount); skips otherwise.
#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sys/statvfs.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "tests/test_support.h"

namespace {

// A HAR of `count` entries, each with `body_bytes` of incompressible,
// distinct hex text (bodies are stored once per content: they must differ).
std::string har_of(int count, std::size_t body_bytes, unsigned seed) {
  std::mt19937_64 rng(seed);
  static const char* kHex = "0123456789abcdef";
  std::string entries;
  for (int i = 0; i < count; ++i) {
    std::string body(body_bytes, '0');
    for (char& c : body) c = kHex[rng() & 15];
    if (i) entries += ",";
    entries += R"({"startedDateTime":"2026-01-01T00:00:)" + std::string(i % 60 < 10 ? "0" : "") +
               std::to_string(i % 60) + R"(.000Z","time":5,"request":{"method":"GET","url":"https://api.example.com/items/)" +
               std::to_string(i) +
               R"(","httpVersion":"HTTP/1.1","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},)"
               R"("response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"text/plain"}],)"
               R"("cookies":[],"content":{"size":)" + std::to_string(body_bytes) + R"(,"mimeType":"text/plain","text":")" + body +
               R"("},"redirectURL":"","headersSize":-1,"bodySize":-1},"cache":{},"timings":{"send":1,"wait":3,"receive":1}})";
  }
  return R"({"log":{"version":"1.2","creator":{"name":"full_disk_test","version":"1"},"entries":[)" + entries + "]}}";
}

}  // namespace

TEST_CASE("A full disk fails the import clearly, keeps what was committed, and the next import works after space is freed",
          "[full_disk]") {
  trafficdb::test::SmallFilesystem fs(8u << 20);
  if (!fs.mounted()) {
    trafficdb::test::skip_test("needs root to mount a small tmpfs");
    return;
  }
  trafficdb::test::TempDir inputs;
  const std::string db_path = fs.file("traffic.db");
  // A first import that fits, then space taken by something else.
  trafficdb::test::write_file(inputs.file("small.har"), har_of(20, 2000, 1));
  auto first = trafficdb::test::run_trafficdb({"--db", db_path, "import", inputs.file("small.har")});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  // Whatever the first import left (its write-ahead log may still be there,
  // up to ~3 MB), 1 MiB stays free.
  struct statvfs st {};
  REQUIRE(::statvfs(fs.file("").c_str(), &st) == 0);
  const std::uint64_t available = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
  REQUIRE(available > (1u << 20));
  trafficdb::test::write_file(fs.file("filler"), std::string(available - (1u << 20), 'x'));

  // ~8 MB of distinct bodies into the 1 MiB left.
  trafficdb::test::write_file(inputs.file("big.har"), har_of(400, 20000, 2));
  auto full = trafficdb::test::run_trafficdb({"--db", db_path, "import", inputs.file("big.har")});
  CHECK(full.exit_code != 0);
  CHECK(full.err.find("database or disk is full") != std::string::npos);
  CHECK(full.err.find("no space left where the database is") != std::string::npos);
  {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    SQLite::Statement sessions(db, "SELECT status, coalesce(error, ''), exchange_count FROM sessions ORDER BY id");
    REQUIRE(sessions.executeStep());
    CHECK(sessions.getColumn(0).getString() == "imported");
    CHECK(sessions.getColumn(2).getInt() == 20);
    REQUIRE(sessions.executeStep());
    CHECK(sessions.getColumn(0).getString() == "failed");
    CHECK(sessions.getColumn(1).getString().find("disk is full") != std::string::npos);
    // Whatever the failed import committed before the disk filled is whole.
    CHECK(db.execAndGet("SELECT count(*) FROM exchanges e JOIN bodies b ON b.id = e.resp_body_id "
                        "WHERE length(b.data) = 20000 OR length(b.data) = 2000")
              .getInt() == db.execAndGet("SELECT count(*) FROM exchanges").getInt());
  }
  // Space freed: the next import works and the first session's rows are all there.
  std::filesystem::remove(fs.file("filler"));
  trafficdb::test::write_file(inputs.file("after.har"), har_of(30, 2000, 3));
  auto after = trafficdb::test::run_trafficdb({"--db", db_path, "import", inputs.file("after.har")});
  INFO(after.err);
  CHECK(after.exit_code == 0);
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT count(*) FROM exchanges WHERE session_id = 1").getInt() == 20);
  CHECK(db.execAndGet("SELECT status FROM sessions ORDER BY id DESC LIMIT 1").getString() == "imported");
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
}
