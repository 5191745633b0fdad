// RecordingLease: tells other processes that a session is still being
// recorded, in a way that ends by itself when the recording process does.
//
// A session row says 'recording' from its creation until its writer
// finishes it. If the process is killed (or crashes, or the machine loses
// power) first, the row would say 'recording' for ever. So whoever records
// holds a lease for the session: an open-file-description lock (Linux
// F_OFD_SETLK, which the kernel drops when the process ends however it ends)
// on byte `session id` of the file `<database>-recording` beside the
// database. A 'recording' row whose byte nobody locks was left by a process
// that is gone (see orphaned_recordings / recording_is_live).
#pragma once

#include <cstdint>
#include <string>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

class RecordingLease {
 public:
  // Takes the lease of `session_id` for the database at `db_path`.
  static Result<RecordingLease> acquire(const std::string& db_path, std::int64_t session_id);

  RecordingLease(RecordingLease&& other) noexcept;
  RecordingLease& operator=(RecordingLease&& other) noexcept;
  RecordingLease(const RecordingLease&) = delete;
  RecordingLease& operator=(const RecordingLease&) = delete;
  ~RecordingLease();  // gives it up

 private:
  explicit RecordingLease(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// The path of `db`'s main database file, "" when it has none (in memory).
std::string database_file_path(SQLite::Database& db);

// The file the leases of the database at `db_path` live in.
std::string recording_lease_path(const std::string& db_path);

// Whether some process (this one included) holds the lease of `session_id`.
// True when it cannot tell (the file cannot be opened for another reason
// than not existing), so a live recording is never taken for a dead one.
bool recording_is_live(const std::string& db_path, std::int64_t session_id);

// What a session left 'recording' by a process that is gone is shown as, and
// what the next writer marks it: failed, with this error.
inline constexpr const char* kRecordingInterrupted =
    "interrupted: the process recording it ended without stopping it (killed or crashed); "
    "the exchanges stored until then are kept";

}  // namespace trafficdb
