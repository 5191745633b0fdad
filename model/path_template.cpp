#include "model/path_template.h"

namespace trafficdb {
namespace {

bool seg_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool seg_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
bool seg_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool seg_hex_letter(unsigned char c) { return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// What one pass over a segment learns about its bytes.
struct SegmentShape {
  std::size_t digits = 0, hex_letters = 0, other_letters = 0;
  std::size_t dashes = 0, underscores = 0, dots = 0, equals = 0;
  std::size_t others = 0;  // any other byte
  bool lower = false, upper = false;
  bool equals_only_at_end = true;  // every '=' is in the trailing run
};

SegmentShape seg_shape_of(std::string_view s) {
  SegmentShape shape;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (seg_digit(c)) {
      ++shape.digits;
    } else if (seg_lower(c) || seg_upper(c)) {
      (seg_hex_letter(c) ? shape.hex_letters : shape.other_letters)++;
      (seg_lower(c) ? shape.lower : shape.upper) = true;
    } else if (c == '-') {
      ++shape.dashes;
    } else if (c == '_') {
      ++shape.underscores;
    } else if (c == '.') {
      ++shape.dots;
    } else if (c == '=') {
      ++shape.equals;
    } else {
      ++shape.others;
    }
    if (shape.equals > 0 && c != '=') shape.equals_only_at_end = false;
  }
  return shape;
}

bool seg_is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!seg_digit(c) && !seg_hex_letter(c)) {
      return false;
    }
  }
  return true;
}

int seg_two_digits(std::string_view s, std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

bool seg_is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!seg_digit(static_cast<unsigned char>(s[i]))) return false;
  const int month = seg_two_digits(s, 5), day = seg_two_digits(s, 8);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Three non-empty base64url parts separated by dots, the first a JSON object's
// encoding ("eyJ" is base64 of "{\"").
bool seg_is_jwt(std::string_view s, const SegmentShape& shape) {
  if (shape.dots != 2 || shape.others != 0 || shape.equals != 0 || s.size() < 20 || s.substr(0, 3) != "eyJ")
    return false;
  const std::size_t first = s.find('.'), second = s.find('.', first + 1);
  return first + 1 < second && second + 1 < s.size();
}

bool seg_is_token(std::string_view s, const SegmentShape& shape) {
  if (s.size() < 20 || shape.others != 0 || shape.dots != 0 || !shape.equals_only_at_end) return false;
  const std::size_t letters = shape.hex_letters + shape.other_letters;
  if (shape.digits == 0 || letters == 0) return false;
  const bool mixed_case = shape.lower && shape.upper;
  const bool no_separators = shape.dashes == 0 && shape.underscores == 0;
  return mixed_case || no_separators;
}

}  // namespace

std::string_view segment_placeholder(std::string_view s) {
  if (s.empty()) return {};
  const SegmentShape shape = seg_shape_of(s);
  if (shape.digits == s.size()) return "{id}";
  if (seg_is_uuid(s)) return "{uuid}";
  if (seg_is_date(s)) return "{date}";
  if (shape.digits + shape.hex_letters == s.size() &&
      (s.size() >= 16 || (s.size() >= 8 && shape.digits > 0 && shape.hex_letters > 0)))
    return "{hex}";
  if (seg_is_jwt(s, shape) || seg_is_token(s, shape)) return "{token}";
  return {};
}

std::string path_template(std::string_view path) {
  path = path.substr(0, path.find_first_of("?#"));
  std::string out;
  out.reserve(path.size() + 8);
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view segment = path.substr(start, end - start);
    const std::string_view placeholder = segment_placeholder(segment);
    out.append(placeholder.empty() ? segment : placeholder);
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

}  // namespace trafficdb
