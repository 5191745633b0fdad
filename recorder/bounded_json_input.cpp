#include "recorder/bounded_json_input.h"

#include <cerrno>
#include <cstring>
#include <memory>

namespace trafficdb {
namespace {
constexpr std::size_t kBufferSize = 1 << 20;

int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
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
  if (!f) return Status::error(path + ": " + std::strerror(errno));
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
    if (std::ferror(file_)) read_status_ = Status::error(std::string("read error: ") + std::strerror(errno));
    eof_ = true;
    return false;
  }
  pos_ = buffer_.data();
  end_ = pos_ + n;
  return true;
}

bool BoundedJsonInput::has_current() {
  while (!loaded_) {
    if (pos_ == end_ && !fill()) return false;
    const unsigned char c = static_cast<unsigned char>(*pos_++);
    ++offset_;
    if (pass_on(c)) {
      ++passed_on_;
      current_ = static_cast<char>(c);
      if (token_run_ > kMaxTokenBytes) {
        refused_long_token_ = true;
        current_ = '\x01';  // not valid anywhere in JSON: the parse stops here
      }
      loaded_ = true;
    }
  }
  return true;
}

void BoundedJsonInput::advance() {
  if (!loaded_) has_current();
  loaded_ = false;
}

bool BoundedJsonInput::pass_on(unsigned char c) {
  if (!in_string_) {
    switch (c) {
      case '{': case '}': case '[': case ']': case ':': case ',': case '"':
      case ' ': case '\t': case '\r': case '\n':
        token_run_ = 0;
        break;
      default:
        ++token_run_;
    }
    if (c == '"') {
      in_string_ = true;
      cutting_ = false;
      escape_ = 0;
      after_high_surrogate_ = false;
      string_start_ = offset_ - 1;
      string_length_ = 0;
    }
    return true;
  }

  if (cutting_) {  // only looking for the closing quote now
    ++string_length_;
    if (escape_ == 1) {
      escape_ = 0;
    } else if (c == '\\') {
      escape_ = 1;
    } else if (c == '"') {
      --string_length_;
      in_string_ = false;
      last_cut_ = StringCut{string_start_, string_length_};
      return true;
    }
    return false;
  }

  if (escape_ == 1) {
    ++string_length_;
    if (c == 'u') {
      escape_ = 5;  // four hex digits follow (states 5..2)
      escape_value_ = 0;
    } else {
      escape_ = 0;
      after_high_surrogate_ = false;
    }
    return true;
  }
  if (escape_ >= 2) {
    ++string_length_;
    const int h = hex_value(c);
    escape_value_ = (escape_value_ << 4) | static_cast<unsigned>(h < 0 ? 0 : h);
    if (--escape_ == 1) {
      escape_ = 0;
      after_high_surrogate_ = escape_value_ >= 0xD800 && escape_value_ <= 0xDBFF;
    }
    return true;
  }
  if (c == '"') {
    in_string_ = false;
    return true;
  }

  // A cut may not split a UTF-8 sequence, nor a surrogate pair of escapes.
  const bool utf8_continuation = (c & 0xC0) == 0x80;
  if (string_length_ >= max_string_ && !utf8_continuation && !(after_high_surrogate_ && c == '\\')) {
    cutting_ = true;
    ++string_length_;
    if (c == '\\') escape_ = 1;
    return false;
  }
  ++string_length_;
  if (c == '\\') {
    escape_ = 1;
  } else {
    after_high_surrogate_ = false;
  }
  return true;
}

}  // namespace trafficdb
