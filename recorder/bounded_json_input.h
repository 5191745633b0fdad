// BoundedJsonInput: the bytes of a JSON document, fed to nlohmann's SAX
// parser one character at a time, with every string cut at a maximum length.
//
// nlohmann's lexer keeps a whole string in memory before it reports it, so a
// hostile 1 GB string would cost 1 GB. This input tracks JSON's lexical state
// (inside a string, escapes, \u surrogate pairs, UTF-8 sequences) and stops
// passing a string's bytes on once it reaches `max_string_bytes`, skipping to
// its closing quote. The parser sees a shorter, still valid string; the cut
// is recorded so the reader can tell which value was cut (take_cut()).
// Numbers and literals, which nlohmann also buffers whole, are refused past
// kMaxTokenBytes (the parse then fails with a message saying why).
//
// Reads from a file (1 MiB buffer, memory independent of file size) or from a
// caller-owned buffer that must outlive this object.
#pragma once

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace trafficdb {

class BoundedJsonInput {
 public:
  struct StringCut {
    std::uint64_t offset;           // byte offset of the string's opening quote
    std::uint64_t original_length;  // its length in the JSON text, escapes included
  };

  // Takes ownership of `file` (closed on destruction).
  BoundedJsonInput(std::FILE* file, std::uint64_t max_string_bytes);
  BoundedJsonInput(std::string_view text, std::uint64_t max_string_bytes);
  ~BoundedJsonInput();
  BoundedJsonInput(const BoundedJsonInput&) = delete;
  BoundedJsonInput& operator=(const BoundedJsonInput&) = delete;

  // Opens `path` for reading; fails with the OS's reason.
  static Result<std::unique_ptr<BoundedJsonInput>> open_file(const std::string& path,
                                                             std::uint64_t max_string_bytes);

  // The input iterator nlohmann::json::sax_parse(begin(), end(), ...) reads.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    explicit Iterator(BoundedJsonInput* input) : input_(input) {}
    const char& operator*() const { return input_->current_; }
    Iterator& operator++() {
      input_->advance();
      return *this;
    }
    bool operator==(const Iterator& other) const { return at_end() == other.at_end(); }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    bool at_end() const { return input_ == nullptr || !input_->has_current(); }
    BoundedJsonInput* input_;
  };
  Iterator begin() { return Iterator(this); }
  Iterator end() { return Iterator(nullptr); }

  // Bytes of the underlying text consumed so far (including skipped ones).
  std::uint64_t offset() const { return offset_; }

  // Bytes passed on to the parser so far (skipped ones excluded): what the
  // parser may have had to hold in memory.
  std::uint64_t passed_on() const { return passed_on_; }

  // The cut of the string the parser has just been given, if it was cut.
  // Call from the SAX string()/key() callback; clears it.
  std::optional<StringCut> take_cut();

  // A read error from the file, if one happened (the parser then saw EOF).
  const Status& read_status() const { return read_status_; }

  // Numbers and literals are not cut but refused: past kMaxTokenBytes the
  // input hands the parser an invalid byte, so the parse fails there. True
  // once that happened.
  static constexpr std::uint64_t kMaxTokenBytes = 4096;
  bool refused_long_token() const { return refused_long_token_; }

 private:
  bool has_current();
  void advance();
  bool fill();
  // Runs the lexical state machine on byte c; returns whether the parser sees it.
  bool pass_on(unsigned char c);

  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  const char* pos_ = nullptr;
  const char* end_ = nullptr;
  bool eof_ = false;
  bool loaded_ = false;  // current_ holds a character not yet consumed
  char current_ = 0;
  std::uint64_t offset_ = 0;
  std::uint64_t passed_on_ = 0;
  Status read_status_;

  const std::uint64_t max_string_;
  bool in_string_ = false;
  bool cutting_ = false;
  int escape_ = 0;  // 0 none, 1 after '\', 2..5 hex digits of \uXXXX still to come
  unsigned escape_value_ = 0;
  bool after_high_surrogate_ = false;
  std::uint64_t token_run_ = 0;  // length of the number or literal being read
  bool refused_long_token_ = false;
  std::uint64_t string_start_ = 0;
  std::uint64_t string_length_ = 0;
  std::optional<StringCut> last_cut_;
};

// Inline: the parser calls these once per byte of input.
namespace json_input_detail {
inline int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace json_input_detail

inline bool BoundedJsonInput::has_current() {
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

inline void BoundedJsonInput::advance() {
  if (!loaded_) has_current();
  loaded_ = false;
}

inline bool BoundedJsonInput::pass_on(unsigned char c) {
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
    const int h = json_input_detail::hex_value(c);
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
