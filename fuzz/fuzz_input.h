// What the stream fuzz targets share: a CaptureOutput that discards what it
// is handed, and the walk over their input's records:
//   [control byte][length byte][length bytes of data]
// each handed to `on_record(control, bytes)` (the length is cut to what
// the input holds).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "recorder/capture_output.h"

namespace trafficdb::fuzz {

class Discard final : public CaptureOutput {
 public:
  void exchange(Exchange&&) override {}
  void problem(std::string) override {}
  void skipped(std::string_view) override {}
};

template <typename OnRecord>
void for_each_record(const std::uint8_t* data, std::size_t size, OnRecord&& on_record) {
  std::size_t i = 0;
  while (i + 2 <= size) {
    const std::uint8_t control = data[i];
    const std::size_t length = std::min<std::size_t>(data[i + 1], size - i - 2);
    on_record(control, std::string_view(reinterpret_cast<const char*>(data + i + 2), length));
    i += 2 + length;
  }
}

}  // namespace trafficdb::fuzz
