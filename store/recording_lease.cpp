#include "store/recording_lease.h"

#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include <cerrno>
#include <cstring>

namespace trafficdb {
namespace {

struct flock byte_of(std::int64_t session_id, short type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(session_id);
  lock.l_len = 1;
  return lock;
}

}  // namespace

std::string database_file_path(SQLite::Database& db) {
  const char* path = sqlite3_db_filename(db.getHandle(), "main");
  return path ? path : "";
}

std::string recording_lease_path(const std::string& db_path) { return db_path + "-recording"; }

Result<RecordingLease> RecordingLease::acquire(const std::string& db_path, std::int64_t session_id) {
  const std::string path = recording_lease_path(db_path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::io_error("cannot open " + path + ": " + std::strerror(errno));
  struct flock lock = byte_of(session_id, F_WRLCK);
  if (::fcntl(fd, F_OFD_SETLK, &lock) != 0) {
    const int error = errno;
    ::close(fd);
    return Status::busy("cannot lock session " + std::to_string(session_id) + " in " + path + ": " +
                         std::strerror(error));
  }
  return RecordingLease(fd);
}

RecordingLease::RecordingLease(RecordingLease&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RecordingLease& RecordingLease::operator=(RecordingLease&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

RecordingLease::~RecordingLease() {
  if (fd_ >= 0) ::close(fd_);  // closing the description releases its locks
}

bool recording_is_live(const std::string& db_path, std::int64_t session_id) {
  const std::string path = recording_lease_path(db_path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT;
  struct flock lock = byte_of(session_id, F_WRLCK);
  const bool live = ::fcntl(fd, F_OFD_GETLK, &lock) != 0 || lock.l_type != F_UNLCK;
  ::close(fd);
  return live;
}

}  // namespace trafficdb
