// The sqlite3 shell on the same file while trafficdb writes: readers never
// block or fail, and a shell writer with .timeout gets its turn.
#include <catch2/catch.hpp>
#include <atomic>
#include <thread>

#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

TEST_CASE("The sqlite3 shell reads and writes while the writer writes", "[concurrency]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  WriterOptions options;
  options.batch_size = 200;
  options.max_delay = 20ms;
  auto writer = Writer::open(path, options);
  REQUIRE(writer.is_ok());
  auto session = (*writer)->create_session({"live", session_source::har, "", session_status::recording, ""});
  REQUIRE(session.is_ok());

  std::atomic<bool> done{false};
  std::atomic<bool> producer_ok{true};  // Catch2 assertions are not thread-safe: report after join
  std::thread producer([&] {
    auto sink = (*writer)->sink(*session);
    for (int i = 0; i < 20000; ++i)
      if (!sink->consume(test::make_exchange(i, "body " + std::to_string(i % 50))).is_ok()) producer_ok = false;
    if (!(*writer)->flush().is_ok()) producer_ok = false;
    done = true;
  });

  long last = -1;
  int reads = 0;
  bool wrote = false;
  while (!done || reads < 3) {
    auto r = test::run_command({"sqlite3", "-readonly", path, "SELECT count(*) FROM exchanges;"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const long n = std::stol(r.out);
    CHECK(n >= last);  // rows only appear, whole batches at a time
    last = n;
    ++reads;
    if (!wrote) {
      auto w = test::run_command({"sqlite3", path, ".timeout 5000",
                                  "INSERT INTO cursors(consumer, session_id, position) VALUES('shell', 0, 1);"});
      INFO(w.err);
      CHECK(w.exit_code == 0);
      wrote = true;
    }
  }
  producer.join();
  CHECK(producer_ok);
  REQUIRE((*writer)->close().is_ok());
  auto final_count = test::run_command({"sqlite3", "-readonly", path, "SELECT count(*) FROM exchanges; SELECT position FROM cursors;"});
  CHECK(final_count.out == "20000\n1\n");
  CHECK(reads >= 3);
}
