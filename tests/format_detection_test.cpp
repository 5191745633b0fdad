#include <catch2/catch.hpp>

#include "recorder/format_detection.h"

using namespace trafficdb;
using namespace std::string_literals;

TEST_CASE("Formats are detected from content", "[format]") {
  CHECK(detect_format("\xEF\xBB\xBF  {\"log\": {\"version\": \"1.2\"}}") == InputFormat::har);
  CHECK(detect_format("[{\"status\":\"COMPLETE\"}]") == InputFormat::charles_json);
  CHECK(detect_format("[]") == InputFormat::charles_json);
  CHECK(detect_format("<?xml version=\"1.0\"?><charles-session>") == InputFormat::charles_xml);
  CHECK(detect_format("\xd4\xc3\xb2\xa1\x02\x00"s) == InputFormat::pcap);
  CHECK(detect_format("\x0a\x0d\x0d\x0a\x1c\x00"s) == InputFormat::pcapng);
  CHECK(detect_format("\xac\xed\x00\x05"s) == InputFormat::charles_native);
  CHECK(detect_format("{\"other\": 1}") == InputFormat::unknown);
  CHECK(detect_format("GET / HTTP/1.1") == InputFormat::unknown);
  CHECK(detect_format("") == InputFormat::unknown);
}
