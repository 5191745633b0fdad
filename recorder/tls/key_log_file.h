// KeyLogFile: a key log file (SSLKEYLOGFILE) read into a KeyLog, and
// followed as clients append to it: refresh() reads what was added since
// the last call (a line being written is left for the next one). A file
// that is replaced or truncated is read again from its start.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "recorder/tls/key_log.h"

namespace trafficdb {

class KeyLogFile {
 public:
  explicit KeyLogFile(std::string path) : path_(std::move(path)) {}

  // Reads what is new into `keys`; returns whether anything was taken.
  // Fails when the file cannot be read (a missing file is not_found).
  Result<bool> refresh(KeyLog& keys);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::uint64_t offset_ = 0;     // bytes consumed
  std::uint64_t inode_ = 0;
  std::string partial_;          // a line not yet ended
};

// The key log files to use: `given`, or else the file SSLKEYLOGFILE names
// (when that variable is set and not empty).
std::vector<std::string> key_log_paths(const std::vector<std::string>& given);

}  // namespace trafficdb
