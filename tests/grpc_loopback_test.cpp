// Imports a capture of real gRPC calls (Debian's python3-grpcio, server and
// client, tests/grpc/grpc_peer.py) over HTTP/2 in clear on loopback: each
// call is one exchange, gRPC's status from the trailers is kept, and a call
// that failed is an error the filters see. Needs root, tcpdump and
// python3-grpcio: skipped without them.

#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "tests/loopback_capture.h"
#include "tests/running_process.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

std::string grpc_peer() { return std::string(TRAFFICDB_SOURCE_DIR) + "/tests/grpc/grpc_peer.py"; }

// Debian's Python, where python3-grpcio is (a python3 earlier in PATH, from
// pyenv say, would not have it).
std::string python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

std::string grpc_unavailable() {
  if (test::run_command({python(), "-c", "import grpc"}).exit_code != 0)
    return "python3-grpcio is not installed (Debian's python3-grpcio)";
  return "";
}

}  // namespace

TEST_CASE("gRPC over h2c: each call one exchange, its grpc-status kept, a failed call an error", "[http2][grpc][loopback]") {
  if (std::string why = test::loopback_capture_unavailable(); !why.empty()) return test::skip_test(why);
  if (std::string why = grpc_unavailable(); !why.empty()) return test::skip_test(why);
  test::TempDir dir;
  const int port = test::free_port();
  test::RunningProcess server({python(), grpc_peer(), "serve", std::to_string(port)}, {}, dir.file("server.out"),
                              dir.file("server.err"));
  REQUIRE(server.wait_for_output("serving", 20s));
  const std::string pcap = dir.file("grpc.pcap");
  test::CommandResult calls;
  {
    test::LoopbackCapture capture(pcap, port);
    calls = test::run_command({python(), grpc_peer(), "call", std::to_string(port)});
    capture.stop();
  }
  INFO(calls.err);
  REQUIRE(calls.out == "ok user:alice\nerror NOT_FOUND no such user: nobody\nok user:bob\n");

  const std::string db = dir.file("grpc.db");
  const test::CommandResult imported = test::run_trafficdb({"--db", db, "import", pcap});
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  SQLite::Database d(db);
  SQLite::Statement st(d,
                       "SELECT method, path, http_version, status, coalesce(error, ''), "
                       "json_extract(details, '$.response_trailers'), cast(rs.data AS TEXT), cast(rq.data AS BLOB) "
                       "FROM exchanges e LEFT JOIN bodies rs ON rs.id = e.resp_body_id "
                       "LEFT JOIN bodies rq ON rq.id = e.req_body_id ORDER BY e.id");
  struct Call {
    std::string path, version, error, trailers, response, request;
    int status;
  };
  std::vector<Call> rows;
  while (st.executeStep()) {
    CHECK(st.getColumn(0).getString() == "POST");
    rows.push_back({st.getColumn(1).getString(), st.getColumn(2).getString(), st.getColumn(4).getString(),
                    st.getColumn(5).isNull() ? "" : st.getColumn(5).getString(),
                    st.getColumn(6).isNull() ? "" : st.getColumn(6).getString(),
                    st.getColumn(7).isNull() ? "" : st.getColumn(7).getString(), st.getColumn(3).getInt()});
  }
  REQUIRE(rows.size() == 3);
  for (const Call& c : rows) {
    CHECK(c.path == "/test.Users/Get");
    CHECK(c.version == "HTTP/2");
    CHECK(c.status == 200);
  }
  // gRPC frames each message: a compression flag and a 4-byte length, then the bytes.
  CHECK(rows[0].request == std::string("\0\0\0\0\x05", 5) + "alice");
  CHECK(rows[0].response == std::string("\0\0\0\0\x0a", 5) + "user:alice");
  CHECK(rows[0].trailers.find("[\"grpc-status\",\"0\"]") != std::string::npos);
  CHECK(rows[0].error.empty());
  CHECK(rows[1].error == "gRPC status 5 (NOT_FOUND): no such user: nobody");
  CHECK(rows[2].response == std::string("\0\0\0\0\x08", 5) + "user:bob");
  CHECK(rows[2].error.empty());
  // Visible to filters: --errors finds the failed call.
  const test::CommandResult failed = test::run_trafficdb({"--db", db, "query", "--errors", "--json"});
  CHECK(failed.out.find("no such user") != std::string::npos);
  CHECK(failed.out.find("/test.Users/Get") != std::string::npos);
}
