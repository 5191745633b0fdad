// A CaptureOutput that keeps everything the connection handlers hand on
// (exchanges, caveats, connections skipped), for tests that drive a handler
// directly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "recorder/capture_output.h"

namespace trafficdb::test {

class RecordingOutput final : public CaptureOutput {
 public:
  void exchange(Exchange&& e) override { exchanges.push_back(std::move(e)); }
  void problem(std::string message) override { problems.push_back(std::move(message)); }
  void skipped(std::string_view why) override { skipped_reasons.emplace_back(why); }
  std::vector<Exchange> exchanges;
  std::vector<std::string> problems, skipped_reasons;
};

}  // namespace trafficdb::test
