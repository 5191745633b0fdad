#include <catch2/catch.hpp>

#include "query/exchange_diff.h"
#include "query/exchange_diff_text.h"
#include "query/query_database.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;
using nlohmann::json;

namespace {

StoredExchange stored(std::int64_t id, Exchange e, double ms) {
  StoredExchange s;
  s.id = id;
  s.duration_ms = ms;
  s.exchange = std::move(e);
  return s;
}

Exchange base() {
  Exchange e = test::make_exchange(1, "{\"items\":[{\"price\":1},{\"price\":2}],\"total\":3}");
  e.request.headers.push_back({"Date", "Mon, 01 Jan 2026 00:00:00 GMT"});
  e.request.headers.push_back({"Authorization", "Bearer first-secret"});
  e.response->headers.push_back({"X-Request-Id", "abc"});
  e.response->headers.push_back({"Server", "nginx"});
  return e;
}

}  // namespace

TEST_CASE("Diff: request line, status, headers (any case), volatile ones skipped, secrets masked", "[query][diff]") {
  Exchange a = base(), b = base();
  b.request.method = "POST";
  b.request.url += "&access_token=zzz";
  b.response->status = 404;
  b.request.headers[2] = {"date", "Tue, 02 Jan 2026 00:00:00 GMT"};   // volatile
  b.request.headers[3] = {"authorization", "Bearer second-secret"};  // case differs, value differs
  b.request.headers[1] = {"ACCEPT", "application/json"};              // only the case of the name differs
  b.response->headers.back() = {"X-New", "1"};                        // Server removed, X-New added
  b.response->headers[3].value = "def";                               // X-Request-Id: volatile

  const json d = diff_exchanges(stored(1, a, 10), stored(2, b, 25.5));
  CHECK_FALSE(d["identical"].get<bool>());
  CHECK(d["request_line"]["method"] == json({{"a", "GET"}, {"b", "POST"}}));
  CHECK(d["request_line"]["url"]["b"].get<std::string>().find("access_token=[REDACTED]") != std::string::npos);
  CHECK(d["status"] == json({{"a", 200}, {"b", 404}}));
  const json& rq = d["request"]["headers"];
  CHECK(rq["added"].empty());
  CHECK(rq["removed"].empty());
  REQUIRE(rq["changed"].size() == 1);
  CHECK(rq["changed"][0]["name"] == "Authorization");
  CHECK(rq["changed"][0]["a"] == "Bearer [REDACTED]");
  CHECK(rq["changed"][0]["masked"] == true);
  const json& rs = d["response"]["headers"];
  REQUIRE(rs["removed"].size() == 1);
  CHECK(rs["removed"][0] == json({{"name", "Server"}, {"value", "nginx"}}));
  REQUIRE(rs["added"].size() == 1);
  CHECK(rs["added"][0]["name"] == "X-New");
  CHECK(d["ignored_headers"] == json({"date", "x-request-id"}));
  CHECK(d["timing"]["duration_ms"]["delta"] == 15.5);
  CHECK(d["request"]["body"]["equal"] == true);

  DiffOptions options;
  options.redact = false;
  options.ignore_headers = {"server"};
  const json plain = diff_exchanges(stored(1, a, 10), stored(2, b, 10), options);
  CHECK(plain["request"]["headers"]["changed"][0]["b"] == "Bearer second-secret");
  CHECK(plain["response"]["headers"]["removed"].empty());
  CHECK(plain["ignored_headers"] == json({"date", "server", "x-request-id"}));

  options.all_headers = true;
  const json all = diff_exchanges(stored(1, a, 10), stored(2, b, 10), options);
  CHECK(all["ignored_headers"].empty());
  CHECK(all["request"]["headers"]["changed"].size() == 2);  // Date too
  CHECK(all["response"]["headers"]["removed"].size() == 1);  // Server
  CHECK(all["response"]["headers"]["changed"][0]["name"] == "X-Request-Id");

  const std::string text = render_exchange_diff(d);
  CHECK(text.find("request line\n- GET\n+ POST\n") != std::string::npos);
  CHECK(text.find("status\n- 200\n+ 404\n") != std::string::npos);
  CHECK(text.find("- Server: nginx\n") != std::string::npos);
  CHECK(text.find("second-secret") == std::string::npos);
  CHECK(text.find("(not compared: date, x-request-id)") != std::string::npos);
}

TEST_CASE("Diff: JSON bodies by structure, text bodies by lines, binary by size", "[query][diff]") {
  Exchange a = base(), b = base();
  b.response->body.data = "{\"items\":[{\"price\":1},{\"price\":5}],\"total\":\"3\"}";
  const json d = diff_exchanges(stored(1, a, 1), stored(2, b, 1));
  const json& body = d["response"]["body"];
  CHECK(body["kind"] == "json");
  REQUIRE(body["json"]["differences"].size() == 2);
  CHECK(body["json"]["differences"][0] == json({{"path", "$.items[1].price"}, {"change", "changed"}, {"a", 2}, {"b", 5}}));
  CHECK(body["json"]["differences"][1]["path"] == "$.total");
  CHECK(render_exchange_diff(d).find("~ $.items[1].price: 2 -> 5\n") != std::string::npos);

  a.response->body.data = "hello\nworld\n";
  b.response->body.data = "hello\nthere\n";
  const json t = diff_exchanges(stored(1, a, 1), stored(2, b, 1));
  CHECK(t["response"]["body"]["kind"] == "text");
  CHECK(t["response"]["body"]["text"]["unified"] == "@@ -1,2 +1,2 @@\n hello\n-world\n+there\n");

  a.response->body.data = std::string("\x89PNG\0\0\x01", 7);
  b.response->body.data = std::string("\x89PNG\0\0\x02\x03", 8);
  const json bin = diff_exchanges(stored(1, a, 1), stored(2, b, 1));
  CHECK(bin["response"]["body"]["kind"] == "binary");
  CHECK(bin["response"]["body"]["size_a"] == 7);
  CHECK(bin["response"]["body"]["size_b"] == 8);
  CHECK(bin["response"]["body"]["equal"] == false);

  const json same = diff_exchanges(stored(1, base(), 1), stored(2, base(), 1));
  CHECK(same["identical"] == true);
  CHECK(render_exchange_diff(same).find("no differences") != std::string::npos);
}

TEST_CASE("Diff: huge bodies are summarized, fast", "[query][diff][hostile]") {
  Exchange a = base(), b = base();
  std::string big = "{\"items\":[";
  while (big.size() < 5u << 20) big += "{\"id\":1},";
  a.response->body.data = big + "{}]}";
  b.response->body.data = big + "{\"id\":2}]}";
  const json d = diff_exchanges(stored(1, a, 1), stored(2, b, 1));
  CHECK(d["response"]["body"]["kind"] == "json");
  CHECK(d["response"]["body"]["json"]["summarized"] == true);

  std::string la, lb;
  for (int i = 0; i < 100000; ++i) {
    la += "a" + std::to_string(i) + "\n";
    lb += "b" + std::to_string(i) + "\n";
  }
  a.response->body.data = la;
  b.response->body.data = lb;
  const json t = diff_exchanges(stored(1, a, 1), stored(2, b, 1));
  CHECK(t["response"]["body"]["text"]["summarized"] == true);
  CHECK(render_exchange_diff(t).find("too large to diff") != std::string::npos);
}

TEST_CASE("Diff of stored exchanges: unknown ids are not_found", "[query][diff]") {
  test::TempDir dir;
  {
    auto writer = Writer::open(dir.file("t.db"));
    REQUIRE(writer.is_ok());
    const auto s = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
    REQUIRE((*writer)->consume(s, base()).is_ok());
    Exchange other = base();
    other.response->status = 500;
    REQUIRE((*writer)->consume(s, std::move(other)).is_ok());
    REQUIRE((*writer)->close().is_ok());
  }
  auto db = open_query_database(dir.file("t.db"), OpenMode::read_only);
  REQUIRE(db.is_ok());
  auto d = diff_stored_exchanges(**db, 1, 2);
  REQUIRE(d.is_ok());
  CHECK((*d)["status"] == json({{"a", 200}, {"b", 500}}));
  auto missing = diff_stored_exchanges(**db, 1, 99);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == Status::Code::not_found);
  CHECK(missing.status().message() == "no exchange with id 99");
}
