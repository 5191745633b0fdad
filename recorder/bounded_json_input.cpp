#include "recorder/bounded_json_input.h"

#include <cerrno>
#include <cstring>
#include <memory>

namespace trafficdb {
namespace {
constexpr std::size_t kBufferSize = 1 << 20;

}  // namespace

BoundedJsonInput::BoundedJsonInput(std::FILE* file, std::uint64_t max_string_bytes)
    : file_(file), buffer_(kBufferSize), max_string_(max_string_bytes) {}

BoundedJsonInput::BoundedJsonInput(std::string_view text, std::uint64_t max_string_bytes)
    : pos_(text.data()), end_(text.data() + text.size()), eof_(true), max_string_(max_string_bytes) {}

BoundedJsonInput::~BoundedJsonInput() {
  if (file_) std::fclose(file_);
}

Result<std::unique_ptr<BoundedJsonInput>> BoundedJsonInput::open_file(const std::string& path,
                                                                      std::uint64_t max_string_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::with_code(errno == ENOENT ? Status::Code::not_found : Status::Code::io_error, path + ": " + std::strerror(errno));
  return std::make_unique<BoundedJsonInput>(f, max_string_bytes);
}

std::optional<BoundedJsonInput::StringCut> BoundedJsonInput::take_cut() {
  auto cut = last_cut_;
  last_cut_.reset();
  return cut;
}

bool BoundedJsonInput::fill() {
  if (eof_ || !file_) return false;
  const std::size_t n = std::fread(buffer_.data(), 1, buffer_.size(), file_);
  if (n == 0) {
    if (std::ferror(file_)) read_status_ = Status::io_error(std::string("read error: ") + std::strerror(errno));
    eof_ = true;
    return false;
  }
  pos_ = buffer_.data();
  end_ = pos_ + n;
  return true;
}

}  // namespace trafficdb
