#include <catch2/catch.hpp>

#include "common/byte_size.h"

using namespace trafficdb;

TEST_CASE("Sizes as people write them", "[byte_size]") {
  CHECK(*parse_byte_size("2GB") == 2'000'000'000u);
  CHECK(*parse_byte_size("500 MB") == 500'000'000u);
  CHECK(*parse_byte_size("1.5GiB") == 1'610'612'736u);
  CHECK(*parse_byte_size("64kib") == 65'536u);
  CHECK(*parse_byte_size("1048576") == 1'048'576u);
  CHECK(*parse_byte_size("10b") == 10u);
  CHECK(parse_byte_size("").status().is(Status::Code::invalid_input));
  CHECK(parse_byte_size("lots").status().message().find("not a size") != std::string::npos);
  CHECK(parse_byte_size("2 parsecs").status().message().find("unknown unit") != std::string::npos);
  CHECK(parse_byte_size("-1GB").status().is(Status::Code::invalid_input));
  CHECK(parse_byte_size("2000TB").status().message().find("too large") != std::string::npos);
  CHECK(format_byte_size(0) == "0 B");
  CHECK(format_byte_size(999) == "999 B");
  CHECK(format_byte_size(1'234'567) == "1.23 MB");
  CHECK(format_byte_size(2'000'000'000) == "2.00 GB");
  CHECK(format_byte_size(45'600'000) == "45.6 MB");
}
