#include "tests/written_store.h"

#include <catch2/catch.hpp>
#include <utility>

#include "store/writer.h"

namespace trafficdb::test {

std::int64_t write_imported_session(const std::string& path, std::vector<Exchange> exchanges, bool indexed) {
  WriterOptions options;
  options.index_when_idle = false;
  options.index_on_close = indexed;
  auto writer = Writer::open(path, options);
  REQUIRE(writer.is_ok());
  auto session = (*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
  REQUIRE(session.is_ok());
  for (Exchange& e : exchanges) REQUIRE((*writer)->consume(*session, std::move(e)).is_ok());
  REQUIRE((*writer)->close().is_ok());
  return *session;
}

}  // namespace trafficdb::test
