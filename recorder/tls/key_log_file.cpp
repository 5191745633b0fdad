#include "recorder/tls/key_log_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace trafficdb {

Result<bool> KeyLogFile::refresh(KeyLog& keys) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path_.c_str(), "rb"), &std::fclose);
  if (!f)
    return Status::with_code(errno == ENOENT ? Status::Code::not_found : Status::Code::io_error,
                             "key log " + path_ + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fileno(f.get()), &st) != 0) return Status::io_error("key log " + path_ + ": " + std::strerror(errno));
  if (static_cast<std::uint64_t>(st.st_ino) != inode_ || static_cast<std::uint64_t>(st.st_size) < offset_) {
    inode_ = static_cast<std::uint64_t>(st.st_ino);
    offset_ = 0;
    partial_.clear();
  }
  if (static_cast<std::uint64_t>(st.st_size) == offset_) return false;
  if (std::fseek(f.get(), static_cast<long>(offset_), SEEK_SET) != 0)
    return Status::io_error("key log " + path_ + ": cannot seek");
  const std::uint64_t generation = keys.generation();
  std::vector<char> buffer(1 << 16);
  for (;;) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), f.get());
    if (n == 0) break;
    offset_ += n;
    partial_.append(buffer.data(), n);
    const std::size_t used = keys.add_text(partial_, false);
    partial_.erase(0, used);
    if (partial_.size() > 4096) partial_.clear();  // not a key log line: no line is that long
  }
  if (std::ferror(f.get())) return Status::io_error("key log " + path_ + ": read error");
  return keys.generation() != generation;
}

std::vector<std::string> key_log_paths(const std::vector<std::string>& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("SSLKEYLOGFILE");
  if (env && *env) return {env};
  return {};
}

}  // namespace trafficdb
