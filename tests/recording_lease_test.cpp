// Sessions left 'recording' by a process that is gone: told apart from live
// recordings by RecordingLease, shown as failed, marked so by the next writer.
#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>

#include "query/session_list.h"
#include "store/database.h"
#include "store/recording_lease.h"
#include "store/sessions.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;

namespace {

SessionInfo listed(const std::string& db_path, std::int64_t id) {
  auto db = open_database(db_path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  auto sessions = list_sessions(**db);
  REQUIRE(sessions.is_ok());
  for (const SessionInfo& s : *sessions)
    if (s.id == id) return s;
  FAIL("no session " << id);
  return {};
}

std::string stored_status(const std::string& db_path, std::int64_t id) {
  auto db = open_database(db_path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  return (*db)->execAndGet("SELECT status FROM sessions WHERE id = " + std::to_string(id)).getString();
}

}  // namespace

TEST_CASE("A session its recorder left 'recording' is shown failed and marked so by the next writer", "[writer][sessions]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  auto writer = Writer::open(path);
  REQUIRE(writer.is_ok());

  // Recording now: this writer holds its lease.
  auto live = (*writer)->create_session({"live", session_source::har, "", session_status::recording, ""});
  REQUIRE(live.is_ok());
  CHECK(recording_is_live(path, *live));
  CHECK(listed(path, *live).status == "recording");

  // A row that says 'recording' with no lease is what a killed process leaves.
  std::int64_t orphan = 0;
  {
    auto db = open_database(path, OpenMode::read_write);
    REQUIRE(db.is_ok());
    auto id = insert_session(**db, {"killed", session_source::har, "", session_status::recording, ""});
    REQUIRE(id.is_ok());
    orphan = *id;
  }
  CHECK_FALSE(recording_is_live(path, orphan));
  const SessionInfo shown = listed(path, orphan);
  CHECK(shown.status == "failed");
  CHECK(shown.error.find("interrupted") == 0);
  CHECK(stored_status(path, orphan) == "recording");  // reading changes nothing

  // The next writer marks it, and leaves the live one alone.
  {
    auto next = Writer::open(path);
    REQUIRE(next.is_ok());
  }
  CHECK(stored_status(path, orphan) == "failed");
  CHECK(stored_status(path, *live) == "recording");
  CHECK(listed(path, *live).status == "recording");

  // Finished normally: the lease is given up and the row says stopped.
  REQUIRE((*writer)->finish_session(*live, session_status::stopped, std::nullopt).is_ok());
  CHECK_FALSE(recording_is_live(path, *live));
  CHECK(listed(path, *live).status == "stopped");

  // A writer that goes away without finishing its session gives up the lease
  // as a dead process would.
  auto abandoned = (*writer)->create_session({"abandoned", session_source::har, "", session_status::recording, ""});
  REQUIRE(abandoned.is_ok());
  CHECK(listed(path, *abandoned).status == "recording");
  writer->reset();
  CHECK(listed(path, *abandoned).status == "failed");
}

TEST_CASE("A database without a lease file has no live recordings; imports take no lease", "[writer][sessions]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  CHECK_FALSE(recording_is_live(path, 1));
  auto writer = Writer::open(path);
  REQUIRE(writer.is_ok());
  auto imported = (*writer)->create_session({"done", session_source::har, "", session_status::imported, ""});
  REQUIRE(imported.is_ok());
  CHECK_FALSE(recording_is_live(path, *imported));
  CHECK(listed(path, *imported).status == "imported");
}
