// Recognising an input file's format from its first bytes, not its name.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace trafficdb {

enum class InputFormat {
  har,           // HAR 1.2 JSON ({"log": {...}})
  charles_json,  // Charles JSON session export (.chlsj): a top-level array
  charles_xml,   // Charles XML session export (<charles-session>)
  charles_native,// Charles native .chls (Java serialization)
  pcap,          // libpcap capture file
  pcapng,        // pcapng capture file
  unknown,
};

// The name used on the command line (--format) and in messages.
std::string_view format_name(InputFormat format);

// Parses a --format value; "auto" is not a format and fails here.
Result<InputFormat> parse_format_name(std::string_view name);

// Looks at `head`, the first bytes of a file (a few KiB is plenty).
InputFormat detect_format(std::string_view head);

// Reads the first bytes of `path` and detects; fails if it cannot be read.
Result<InputFormat> detect_file_format(const std::string& path);

}  // namespace trafficdb
