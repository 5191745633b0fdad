#include <catch2/catch.hpp>

#include "common/comma_list.h"

using trafficdb::EmptyItems;
using trafficdb::split_comma_list;
using Items = std::vector<std::string>;

TEST_CASE("Comma lists split on commas, trim spaces and tabs, and drop or keep empty items", "[comma_list]") {
  CHECK(split_comma_list("GET, POST") == Items{"GET", "POST"});
  CHECK(split_comma_list(" Server ,\tVia\t") == Items{"Server", "Via"});
  CHECK(split_comma_list("a,,b,") == Items{"a", "b"});
  CHECK(split_comma_list("a,,b,", EmptyItems::keep) == Items{"a", "", "b", ""});
  CHECK(split_comma_list("").empty());
  CHECK(split_comma_list("", EmptyItems::keep) == Items{""});
  CHECK(split_comma_list("x-a b") == Items{"x-a b"});  // inner spaces stay
}
