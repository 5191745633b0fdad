#include "recorder/format_detection.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace trafficdb {
namespace {

bool starts_with_bytes(std::string_view s, std::initializer_list<unsigned char> bytes) {
  if (s.size() < bytes.size()) return false;
  size_t i = 0;
  for (const unsigned char b : bytes) {
    if (static_cast<unsigned char>(s[i++]) != b) return false;
  }
  return true;
}

std::string_view skip_space_and_bom(std::string_view s) {
  if (starts_with_bytes(s, {0xEF, 0xBB, 0xBF})) s.remove_prefix(3);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  return s;
}

}  // namespace

std::string_view format_name(InputFormat format) {
  switch (format) {
    case InputFormat::har: return "har";
    case InputFormat::charles_json: return "chlsj";
    case InputFormat::charles_xml: return "charles-xml";
    case InputFormat::charles_native: return "chls";
    case InputFormat::pcap: return "pcap";
    case InputFormat::pcapng: return "pcapng";
    case InputFormat::unknown: break;
  }
  return "unknown";
}

Result<InputFormat> parse_format_name(std::string_view name) {
  for (const InputFormat f : {InputFormat::har, InputFormat::charles_json, InputFormat::charles_xml,
                              InputFormat::charles_native, InputFormat::pcap, InputFormat::pcapng}) {
    if (format_name(f) == name) return f;
  }
  return Status::invalid_input("unknown format '" + std::string(name) + "'");
}

InputFormat detect_format(std::string_view head) {
  if (starts_with_bytes(head, {0xd4, 0xc3, 0xb2, 0xa1}) || starts_with_bytes(head, {0xa1, 0xb2, 0xc3, 0xd4}) ||
      starts_with_bytes(head, {0x4d, 0x3c, 0xb2, 0xa1}) || starts_with_bytes(head, {0xa1, 0xb2, 0x3c, 0x4d}))
    return InputFormat::pcap;
  if (starts_with_bytes(head, {0x0a, 0x0d, 0x0d, 0x0a})) return InputFormat::pcapng;
  if (starts_with_bytes(head, {0xac, 0xed, 0x00, 0x05})) return InputFormat::charles_native;

  const std::string_view text = skip_space_and_bom(head);
  if (text.empty()) return InputFormat::unknown;
  if (text.front() == '{') {
    // HAR's root object has "log"; look for the key near the start.
    if (text.find("\"log\"") != std::string_view::npos) return InputFormat::har;
    return InputFormat::unknown;
  }
  if (text.front() == '[') {
    const std::string_view rest = skip_space_and_bom(text.substr(1));
    if (rest.empty() || rest.front() == '{' || rest.front() == ']') return InputFormat::charles_json;
    return InputFormat::unknown;
  }
  if (text.front() == '<' && text.find("charles-session") != std::string_view::npos) return InputFormat::charles_xml;
  return InputFormat::unknown;
}

Result<InputFormat> detect_file_format(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::with_code(errno == ENOENT ? Status::Code::not_found : Status::Code::io_error, path + ": " + std::strerror(errno));
  char buf[8192];
  const size_t n = std::fread(buf, 1, sizeof buf, f.get());
  if (n == 0 && std::ferror(f.get())) return Status::io_error(path + ": " + std::strerror(errno));
  return detect_format(std::string_view(buf, n));
}

}  // namespace trafficdb
