#include <catch2/catch.hpp>

#include "query/query_database.h"
#include "query/session_diff.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;

namespace {

Exchange call(int n, const std::string& method, const std::string& path, std::optional<int> status, int duration_ms) {
  Exchange e = test::make_exchange(n);
  e.request.method = method;
  e.request.path = path;
  e.request.query.reset();
  e.request.url = "https://api.example.com" + path;
  if (status) e.response->status = *status;
  else e.response.reset();
  e.timings.ended = *e.timings.started + duration_ms * 1000;
  return e;
}

std::int64_t session_of(Writer& writer, const std::string& name, std::vector<Exchange> calls) {
  const auto id = *writer.create_session({name, session_source::har, "", session_status::imported, ""});
  for (Exchange& e : calls) REQUIRE(writer.consume(id, std::move(e)).is_ok());
  REQUIRE(writer.flush().is_ok());
  return id;
}

}  // namespace

TEST_CASE("diff_sessions: endpoints in one only, status mix and latency side by side, the first divergence",
          "[diff][sessions]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  std::int64_t a = 0, b = 0;
  {
    auto writer = Writer::open(path);
    REQUIRE(writer.is_ok());
    a = session_of(**writer, "works",
                   {call(1, "GET", "/users/1", 200, 10), call(2, "GET", "/users/2", 200, 20),
                    call(3, "POST", "/orders", 201, 30), call(4, "GET", "/health", 200, 1)});
    b = session_of(**writer, "fails",
                   {call(5, "GET", "/users/3", 200, 10), call(6, "GET", "/users/4", 500, 200),
                    call(7, "POST", "/orders", 201, 30), call(8, "GET", "/metrics", std::nullopt, 5)});
    REQUIRE((*writer)->close().is_ok());
  }
  auto db = open_query_database(path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  auto diff = diff_sessions(**db, a, b);
  REQUIRE(diff.is_ok());
  const nlohmann::json& d = *diff;
  INFO(d.dump(2));
  CHECK(d["a"]["exchanges"] == 4);
  CHECK(d["b"]["endpoints"] == 3);
  CHECK(d["only_in_a"] == nlohmann::json::parse(R"([{"endpoint":"GET /health","count":1}])"));
  CHECK(d["only_in_b"] == nlohmann::json::parse(R"([{"endpoint":"GET /metrics","count":1}])"));
  REQUIRE(d["both"].size() == 2);
  // The endpoint whose status mix moved comes first.
  CHECK(d["both"][0]["endpoint"] == "GET /users/{id}");
  CHECK(d["both"][0]["a"]["status"] == nlohmann::json::parse(R"({"2xx":2})"));
  CHECK(d["both"][0]["b"]["status"] == nlohmann::json::parse(R"({"2xx":1,"5xx":1})"));
  CHECK(d["both"][0]["b"]["error_rate"] == 0.5);
  CHECK(d["both"][0]["a"]["p50_ms"] == 10.0);
  CHECK(d["both"][0]["b"]["p95_ms"] == 200.0);
  CHECK(d["both"][1]["endpoint"] == "POST /orders");
  // Call 1 (the second) is where they part: same endpoint, 200 against 500.
  CHECK(d["first_divergence"]["index"] == 1);
  CHECK(d["first_divergence"]["a"]["status"] == 200);
  CHECK(d["first_divergence"]["b"]["status"] == 500);
  CHECK(d["first_divergence"]["b"]["endpoint"] == "GET /users/{id}");

  const std::string text = session_diff_text(d);
  CHECK(text.find("first divergence at call 1") != std::string::npos);
  CHECK(text.find("only in -:\n  GET /health (1)") != std::string::npos);
  CHECK(text.find("GET /metrics") != std::string::npos);

  // A session against itself: nothing only in one, no divergence.
  auto same = diff_sessions(**db, a, a);
  REQUIRE(same.is_ok());
  CHECK((*same)["first_divergence"].is_null());
  CHECK((*same)["only_in_a"].empty());
  CHECK(session_diff_text(*same).find("the same calls in the same order") != std::string::npos);

  // Bounds: a limit on exchanges read is said; an unknown session is not_found.
  SessionDiffOptions small;
  small.max_exchanges = 2;
  small.max_endpoints = 1;
  auto cut = diff_sessions(**db, a, b, small);
  REQUIRE(cut.is_ok());
  CHECK((*cut)["a"]["truncated"] == true);
  CHECK((*cut)["a"]["exchanges"] == 2);
  CHECK(session_diff_text(*cut).find("only the first 2 exchanges") != std::string::npos);
  auto missing = diff_sessions(**db, a, 999);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().is(Status::Code::not_found));
}
