#include <catch2/catch.hpp>
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include "query/consumer_cursor.h"
#include "query/curl_command.h"
#include "query/exchange_detail.h"
#include "query/exchange_page.h"
#include "query/query_database.h"
#include "query/redaction.h"
#include "query/sql_functions.h"
#include "query/text_search.h"
#include "query/traffic_stats.h"
#include "store/search_index.h"
#include "store/writer.h"
#include "tests/test_support.h"

using namespace trafficdb;
using namespace std::chrono_literals;

namespace {

// A store the tests know row by row.
//  id 1  GET  api.example.com   /v1/users/1        200  12 ms   json {"name":"Ada Lovelace"}
//  id 2  POST api.example.com   /v1/login          401  80 ms   json, Authorization header, token query
//  id 3  GET  cdn.example.com   /img/logo.png      200   5 ms   image/png 3000 bytes
//  id 4  GET  www.other.org     /health            503 900 ms   text "maintenance"
//  id 5  GET  api.example.com   /v1/users/2        (no response, error)
//  id 6  PUT  sub.api.example.com /v1/users/2      204  40 ms   session 2
struct Store {
  test::TempDir dir;
  std::string path = dir.file("t.db");
  std::int64_t s1 = 0, s2 = 0;
  Store() {
    auto writer = Writer::open(path);
    REQUIRE(writer.is_ok());
    s1 = *(*writer)->create_session({"one", session_source::har, "", session_status::imported, ""});
    s2 = *(*writer)->create_session({"two", session_source::charles, "", session_status::imported, ""});
    const Micros t0 = 1'700'000'000'000'000;
    auto ex = [&](std::string method, std::string host, std::string path, std::optional<std::string> query, int status,
                  double ms, std::string type, std::string body, int n) {
      Exchange e;
      e.request.method = method;
      e.request.scheme = "https";
      e.request.host = host;
      e.request.port = 443;
      e.request.path = path;
      e.request.query = query;
      e.request.url = "https://" + host + path + (query ? "?" + *query : "");
      e.request.http_version = "HTTP/1.1";
      e.request.headers = {{"Host", host}, {"User-Agent", "test"}};
      if (status) {
        Response r;
        r.status = status;
        r.headers = {{"Content-Type", type}};
        r.body.data = body;
        e.response = r;
      } else {
        e.error = "connection reset";
      }
      e.timings.started = t0 + n * 60'000'000LL;  // a minute apart
      e.timings.ended = *e.timings.started + static_cast<Micros>(ms * 1000);
      return e;
    };
    Exchange login = ex("POST", "api.example.com", "/v1/login", "next=/home&access_token=abc123", 401, 80,
                        "application/json", "{\"error\":\"bad password\"}", 2);
    login.request.headers.push_back({"Authorization", "Bearer s3cr3t-token"});
    login.request.headers.push_back({"Content-Type", "application/json"});
    login.request.body.data = "{\"user\":\"ada\"}";
    login.response->headers.push_back({"Set-Cookie", "sid=xyz; HttpOnly"});
    std::vector<std::pair<std::int64_t, Exchange>> rows;
    rows.push_back({s1, ex("GET", "api.example.com", "/v1/users/1", std::nullopt, 200, 12, "application/json",
                           "{\"name\":\"Ada Lovelace\"}", 1)});
    rows.push_back({s1, login});
    rows.push_back({s1, ex("GET", "cdn.example.com", "/img/logo.png", std::nullopt, 200, 5, "image/png",
                           std::string("\x89PNG\r\n\x1a\n", 8) + std::string(2992, '\0'), 3)});
    rows.push_back({s1, ex("GET", "www.other.org", "/health", std::nullopt, 503, 900, "text/plain", "maintenance", 4)});
    rows.push_back({s1, ex("GET", "api.example.com", "/v1/users/2", std::nullopt, 0, 3, "", "", 5)});
    rows.push_back({s2, ex("PUT", "sub.api.example.com", "/v1/users/2", std::nullopt, 204, 40, "", "", 6)});
    for (auto& [session, e] : rows) REQUIRE((*writer)->consume(session, std::move(e)).is_ok());
    REQUIRE((*writer)->close().is_ok());
  }
  std::unique_ptr<SQLite::Database> open(OpenMode mode = OpenMode::read_only) {
    auto db = open_query_database(path, mode);
    REQUIRE(db.is_ok());
    return std::move(db).value();
  }
};

std::vector<std::int64_t> ids(SQLite::Database& db, const ExchangeFilter& filter) {
  PageRequest r;
  r.filter = filter;
  r.limit = 100;
  auto page = find_exchanges(db, r);
  INFO(page.status().message());
  REQUIRE(page.is_ok());
  std::vector<std::int64_t> out;
  for (const auto& s : page->items) out.push_back(s.id);
  return out;
}

using Ids = std::vector<std::int64_t>;

// A store of 3000 test exchanges in one session, in `dir`; its path.
std::string store_of_3000(const test::TempDir& dir) {
  auto writer = Writer::open(dir.file("t.db"));
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
  for (int i = 0; i < 3000; ++i) REQUIRE((*writer)->consume(session, test::make_exchange(i)).is_ok());
  REQUIRE((*writer)->close().is_ok());
  return dir.file("t.db");
}

}  // namespace

TEST_CASE("Each filter alone selects the rows it names", "[query]") {
  Store store;
  auto db = store.open();
  auto f = [] { return ExchangeFilter{}; };
  ExchangeFilter x;

  CHECK(ids(*db, f()) == Ids{1, 2, 3, 4, 5, 6});
  x = f(); x.session_ids = {store.s2};                              CHECK(ids(*db, x) == Ids{6});
  x = f(); x.sources = {"charles"};                                 CHECK(ids(*db, x) == Ids{6});
  x = f(); x.hosts = {*parse_host_pattern("api.example.com")};     CHECK(ids(*db, x) == Ids{1, 2, 5});
  x = f(); x.hosts = {*parse_host_pattern("*.example.com")};       CHECK(ids(*db, x) == Ids{1, 2, 3, 5, 6});
  x = f(); x.hosts = {*parse_host_pattern("*other*")};             CHECK(ids(*db, x) == Ids{4});
  x = f(); x.methods = {"POST", "PUT"};                             CHECK(ids(*db, x) == Ids{2, 6});
  x = f(); x.statuses = *parse_status_spec("5xx");                  CHECK(ids(*db, x) == Ids{4});
  x = f(); x.statuses = *parse_status_spec("200,400-499");          CHECK(ids(*db, x) == Ids{1, 2, 3});
  x = f(); x.path_prefix = "/v1/users";                             CHECK(ids(*db, x) == Ids{1, 5, 6});
  x = f(); x.path_contains = "log";                                 CHECK(ids(*db, x) == Ids{2, 3});
  x = f(); x.path_glob = "/v1/users/[0-9]";                         CHECK(ids(*db, x) == Ids{1, 5, 6});
  x = f(); x.url_contains = "LOGIN";                                CHECK(ids(*db, x) == Ids{2});
  x = f(); x.url_contains = "ex";                                   CHECK(ids(*db, x) == Ids{1, 2, 3, 5, 6});
  x = f(); x.url_regex = R"(users/\d+$)";                           CHECK(ids(*db, x) == Ids{1, 5, 6});
  x = f(); x.resp_content_type = "application/json";                CHECK(ids(*db, x) == Ids{1, 2});
  x = f(); x.resp_content_type = "image/*";                         CHECK(ids(*db, x) == Ids{3});
  x = f(); x.req_content_type = "application/json";                 CHECK(ids(*db, x) == Ids{2});
  x = f(); x.header_name = "authorization";                         CHECK(ids(*db, x) == Ids{2});
  x = f(); x.header_name = "set-cookie"; x.header_side = HeaderSide::request; CHECK(ids(*db, x).empty());
  x = f(); x.header_name = "Set-Cookie"; x.header_value = "HTTPONLY"; CHECK(ids(*db, x) == Ids{2});
  x = f(); x.body_contains = "lovelace";                            CHECK(ids(*db, x) == Ids{1});
  x = f(); x.body_contains = "\"user\"";                            CHECK(ids(*db, x) == Ids{2});  // request body
  x = f(); x.body_contains = "ma";                                  CHECK(ids(*db, x) == Ids{4});  // short: scans
  x = f(); x.has_error = true;                                      CHECK(ids(*db, x) == Ids{5});
  x = f(); x.has_error = false;                                     CHECK(ids(*db, x) == Ids{1, 2, 3, 4, 6});
  x = f(); x.min_duration_ms = 50;                                  CHECK(ids(*db, x) == Ids{2, 4});
  x = f(); x.min_body_bytes = 1000;                                 CHECK(ids(*db, x) == Ids{3});
  x = f(); x.max_body_bytes = 11;                                   CHECK(ids(*db, x) == Ids{4, 6});
  const Micros t0 = 1'700'000'000'000'000;
  x = f(); x.since = t0 + 3 * 60'000'000LL;                         CHECK(ids(*db, x) == Ids{3, 4, 5, 6});
  x = f(); x.until = t0 + 3 * 60'000'000LL;                         CHECK(ids(*db, x) == Ids{1, 2});
}

TEST_CASE("Filters combine with AND", "[query]") {
  Store store;
  auto db = store.open();
  ExchangeFilter x;
  x.hosts = {*parse_host_pattern("*.example.com")};
  x.methods = {"GET"};
  x.has_error = false;
  CHECK(ids(*db, x) == Ids{1, 3});
  x.body_contains = "ada";
  CHECK(ids(*db, x) == Ids{1});
  x.statuses = *parse_status_spec("404");
  CHECK(ids(*db, x).empty());
}

TEST_CASE("Search sees rows both indexed and not yet indexed", "[query][search]") {
  Store store;
  {
    auto rw = open_database(store.path, OpenMode::read_write);
    REQUIRE(rw.is_ok());
    // The writer indexed everything while idle; start the indexes over.
    (*rw)->exec("INSERT INTO urls_fts(urls_fts) VALUES('delete-all')");
    (*rw)->exec("INSERT INTO bodies_fts(bodies_fts) VALUES('delete-all')");
    (*rw)->exec("UPDATE search_state SET position = 0");
    bool remaining = true;
    REQUIRE(index_search_batch(**rw, 3, remaining).is_ok());  // only part of the rows
    CHECK(remaining);
  }
  auto db = store.open();
  CHECK(db->execAndGet("SELECT position FROM search_state WHERE name = 'urls_fts'").getInt() == 3);
  ExchangeFilter x;
  x.url_contains = "users";
  CHECK(ids(*db, x) == Ids{1, 5, 6});  // 1 from the index, 5 and 6 scanned
  x = {};
  x.body_contains = "maintenance";
  CHECK(ids(*db, x) == Ids{4});
}

TEST_CASE("Bad filter values are refused with a reason", "[query][hostile]") {
  CHECK_FALSE(parse_status_spec("2xx3").is_ok());
  CHECK_FALSE(parse_status_spec("500-400").is_ok());
  CHECK_FALSE(parse_status_spec("").is_ok());
  CHECK_FALSE(parse_method("G E T").is_ok());
  CHECK(*parse_method("purge") == "PURGE");
  CHECK_FALSE(parse_host_pattern("a*b").is_ok());
  CHECK_FALSE(parse_time_spec("yesterday-ish", 0).is_ok());
  CHECK(*parse_time_spec("last 10 minutes", 1'000'000'000) == 1'000'000'000 - 600'000'000);
  CHECK(*parse_time_spec("2h ago", 10'000'000'000) == 10'000'000'000 - 7'200'000'000);
  const Status re = check_regex("(a+");
  CHECK_FALSE(re.is_ok());
  CHECK(re.message().find("RE2") != std::string::npos);
  // Backtracking-prone patterns are fine: RE2 runs in linear time.
  CHECK(check_regex("(a+)+$").is_ok());
}

TEST_CASE("Pages never skip or repeat a row while a writer inserts", "[query][cursor]") {
  test::TempDir dir;
  const std::string path = dir.file("t.db");
  WriterOptions options;
  options.batch_size = 50;
  options.max_delay = 5ms;
  auto writer = Writer::open(path, options);
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"live", session_source::har, "", session_status::recording, ""});
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < 3000; ++i) (void)(*writer)->consume(session, test::make_exchange(i));
    (void)(*writer)->flush();
    done = true;
  });
  auto db = open_query_database(path, OpenMode::read_only);
  REQUIRE(db.is_ok());
  std::vector<std::int64_t> seen;
  PageRequest r;
  r.after_id = 0;
  r.limit = 37;
  for (;;) {
    const bool finished = done.load();
    auto page = find_exchanges(**db, r);
    REQUIRE(page.is_ok());
    for (const auto& s : page->items) seen.push_back(s.id);
    r.after_id = page->next_cursor;
    if (finished && !page->has_more && page->items.empty()) break;
  }
  producer.join();
  REQUIRE((*writer)->close().is_ok());
  REQUIRE(seen.size() == 3000);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == static_cast<std::int64_t>(i + 1));

  // Newest first, by --before.
  PageRequest latest;
  latest.newest_first = true;
  latest.limit = 1000;
  std::int64_t count = 0, last = INT64_MAX;
  for (;;) {
    auto page = find_exchanges(**db, latest);
    REQUIRE(page.is_ok());
    for (const auto& s : page->items) {
      CHECK(s.id < last);
      last = s.id;
      ++count;
    }
    if (!page->next_cursor) break;
    latest.before_id = page->next_cursor;
  }
  CHECK(count == 3000);
}

TEST_CASE("Consumers: each sees every row once; a shared name never gets a row twice; restart resumes",
          "[query][cursor]") {
  Store store;
  auto db = store.open(OpenMode::read_write);
  std::vector<std::int64_t> a, b;
  for (int i = 0; i < 4; ++i) {
    auto pa = read_for_consumer(*db, "agent-a", 0, {}, 2);
    REQUIRE(pa.is_ok());
    for (const auto& s : pa->items) a.push_back(s.id);
  }
  auto pb = read_for_consumer(*db, "agent-b", 0, {}, 100);
  REQUIRE(pb.is_ok());
  for (const auto& s : pb->items) b.push_back(s.id);
  CHECK(a == Ids{1, 2, 3, 4, 5, 6});
  CHECK(b == Ids{1, 2, 3, 4, 5, 6});

  // Two connections (two processes, say) sharing one consumer name.
  std::vector<std::int64_t> got;
  std::mutex mu;
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      auto conn = open_query_database(store.path, OpenMode::read_write);
      for (int i = 0; i < 6; ++i) {
        auto p = read_for_consumer(**conn, "shared", 0, {}, 1);
        if (!p.is_ok()) continue;
        std::lock_guard lk(mu);
        for (const auto& s : p->items) got.push_back(s.id);
      }
    });
  }
  for (auto& t : readers) t.join();
  std::sort(got.begin(), got.end());
  CHECK(got == Ids{1, 2, 3, 4, 5, 6});

  // A restarted reader (new connection) resumes after its position.
  auto again = store.open(OpenMode::read_write);
  auto more = read_for_consumer(*again, "agent-a", 0, {}, 10);
  REQUIRE(more.is_ok());
  CHECK(more->items.empty());
  CHECK(*consumer_position(*again, "agent-a", 0) == 6);

  // A filtered consumer passes over rows that do not match.
  ExchangeFilter errors;
  errors.has_error = true;
  auto e = read_for_consumer(*again, "errors-only", 0, errors, 10);
  REQUIRE(e.is_ok());
  REQUIRE(e->items.size() == 1);
  CHECK(e->items[0].id == 5);
  CHECK(*consumer_position(*again, "errors-only", 0) == 6);
}

TEST_CASE("Detail masks secrets by default and shows them on request", "[query][redaction]") {
  Store store;
  auto db = store.open();
  DetailOptions options;
  auto detail = exchange_detail_json(*db, 2, options);
  REQUIRE(detail.is_ok());
  REQUIRE(detail->has_value());
  const auto& j = **detail;
  const std::string dump = j.dump();
  CHECK(dump.find("s3cr3t") == std::string::npos);
  CHECK(dump.find("abc123") == std::string::npos);
  CHECK(dump.find("xyz") == std::string::npos);
  CHECK(j["url"] == "https://api.example.com/v1/login?next=/home&access_token=[REDACTED]");
  CHECK(j["request"]["headers"][2][1] == "Bearer [REDACTED]");
  CHECK(j["response"]["headers"][1][1] == "sid=[REDACTED]; HttpOnly");
  CHECK(j["request"]["body"]["text"] == "{\"user\":\"ada\"}");

  options.redact = false;
  const std::string raw = (**exchange_detail_json(*db, 2, options)).dump();
  CHECK(raw.find("Bearer s3cr3t-token") != std::string::npos);
  CHECK(raw.find("access_token=abc123") != std::string::npos);

  CHECK_FALSE(exchange_detail_json(*db, 999, options)->has_value());
}

TEST_CASE("Detail: binary bodies as base64 preview, long text cut and said", "[query]") {
  Store store;
  auto db = store.open();
  DetailOptions options;
  options.max_body_bytes = 100;
  const auto png = **exchange_detail_json(*db, 3, options);
  CHECK(png["response"]["body"]["kind"] == "binary");
  CHECK(png["response"]["body"]["truncated"] == true);
  CHECK(png["response"]["body"]["size"] == 3000);
  CHECK(png["response"]["body"]["base64"].get<std::string>().rfind("iVBORw0KGgo", 0) == 0);

  Body latin1;
  latin1.data = "caf\xe9";
  const BodyView v = view_body(latin1, false, "text/plain; charset=ISO-8859-1", options);
  CHECK(v.kind == "text");
  CHECK(v.content == "caf\xc3\xa9");
  CHECK(v.charset == "iso-8859-1");

  Body json_body;
  json_body.data = "{\"a\":[1,2]}";
  options.pretty_json = true;
  CHECK(view_body(json_body, true, "application/json", options).content == "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
}

TEST_CASE("Detail: a body range from an offset, its end and where the next starts; text never split in a character",
          "[query]") {
  DetailOptions options;
  Body text;
  text.data = "h\xc3\xa9llo w\xc3\xb6rld";  // é and ö are two bytes each: 13 bytes
  options.max_body_bytes = 2;
  BodyView first = view_body(text, true, "text/plain", options);
  CHECK(first.content == "h");  // "h" + half of é would split it
  CHECK(first.offset == 0);
  CHECK(first.end == 1);
  CHECK(first.truncated);

  std::string whole;
  std::size_t offset = 0, pages = 0;
  for (;;) {
    options.body_offset = offset;
    const BodyView page = view_body(text, true, "text/plain", options);
    REQUIRE(page.offset == offset);
    REQUIRE(page.end > page.offset);
    whole += page.content;
    ++pages;
    if (!page.truncated) break;
    offset = page.end;
  }
  CHECK(whole == text.data);
  CHECK(pages == 8);  // h | é | ll | "o " | w | ö | rl | d

  options.body_offset = 2;  // inside é: the range starts at the next character
  options.max_body_bytes = 4;
  const BodyView inside = view_body(text, true, "text/plain", options);
  CHECK(inside.offset == 3);
  CHECK(inside.content == "llo ");

  options.body_offset = 1;
  options.max_body_bytes = 1;  // é does not fit in 1 byte: shown whole rather than nothing
  CHECK(view_body(text, true, "text/plain", options).content == "\xc3\xa9");

  options.body_offset = 100;  // past the end: an empty range at the end
  const BodyView past = view_body(text, true, "text/plain", options);
  CHECK(past.content.empty());
  CHECK(past.offset == text.data.size());
  CHECK_FALSE(past.truncated);

  Body binary;
  binary.data = std::string("\x00\x01\x02\x03\x04\x05", 6);
  options.body_offset = 2;
  options.max_body_bytes = 3;
  const nlohmann::json j = body_view_to_json(view_body(binary, false, "application/octet-stream", options));
  CHECK(j["kind"] == "binary");
  CHECK(j["base64"] == "AgME");  // bytes 2, 3, 4
  CHECK(j["offset"] == 2);
  CHECK(j["end"] == 5);
  CHECK(j["next_offset"] == 5);
  CHECK(j["size"] == 6);

  Body latin1;
  latin1.data = "caf\xe9 cr\xe8me";
  options.body_offset = 3;
  options.max_body_bytes = 4;
  const BodyView converted = view_body(latin1, false, "text/plain; charset=ISO-8859-1", options);
  CHECK(converted.content == "\xc3\xa9 cr");
  CHECK(converted.end == 7);

  Body json_body;
  json_body.data = "{\"a\":[1,2]}";
  options.pretty_json = true;
  options.body_offset = 0;
  options.max_body_bytes = 5;  // only part of it: shown as stored, not pretty-printed
  CHECK(view_body(json_body, true, "application/json", options).content == "{\"a\":");
}

TEST_CASE("Detail: only the parts asked for", "[query]") {
  Store store;
  auto db = store.open();
  DetailOptions options;
  options.parts = DetailParts{};
  options.parts.request_headers = false;
  options.parts.request_body = false;
  options.parts.timings = false;
  const auto j = **exchange_detail_json(*db, 2, options);
  CHECK(j["request"] == nlohmann::json::object());
  CHECK_FALSE(j.contains("timings"));
  CHECK(j["response"]["status"] == 401);
  CHECK(j["response"].contains("headers"));
  CHECK(j["response"].contains("body"));
  CHECK(j["method"] == "POST");
}

TEST_CASE("Redaction masks secret-looking headers, cookie values and query parameters, and extra configured names",
          "[redaction]") {
  CHECK(redact_header_value("X-Api-Key", "k") == "[REDACTED]");
  CHECK(redact_header_value("X-My-Secret-Thing", "k") == "[REDACTED]");
  CHECK(redact_header_value("Accept", "text/html") == "text/html");
  CHECK(redact_header_value("Cookie", "a=1; b=2") == "a=[REDACTED]; b=[REDACTED]");
  CHECK(redact_query_string("q=x&api_key=1&myToken=2&page=3") == "q=x&api_key=[REDACTED]&myToken=[REDACTED]&page=3");
  const RedactionRules extra = RedactionRules::with_extra({"x-tenant"}, {"tenant"});
  CHECK(redact_header_value("X-Tenant", "acme", extra) == "[REDACTED]");
  CHECK(redact_query_string("tenant=acme", extra) == "tenant=[REDACTED]");
}

TEST_CASE("Stats group, fold paths and give percentiles", "[query][stats]") {
  Store store;
  auto db = store.open();
  auto by_path = traffic_stats(*db, {}, StatsGroup::path, 100);
  REQUIRE(by_path.is_ok());
  CHECK(by_path->total == 6);
  const auto& top = by_path->rows[0];
  CHECK(top.key == "/v1/users/{id}");
  CHECK(top.count == 3);
  CHECK(top.errors == 1);  // the one without a response
  auto by_host = traffic_stats(*db, {}, StatsGroup::host, 1);
  REQUIRE(by_host.is_ok());
  REQUIRE(by_host->rows.size() == 1);
  CHECK(by_host->rows[0].key == "api.example.com");
  CHECK(by_host->rows[0].client_errors == 1);
  CHECK(by_host->groups == 4);
  CHECK(*by_host->rows[0].max_ms == Approx(80));
  auto status = traffic_stats(*db, {}, StatsGroup::status, 100);
  bool saw_503 = false;
  for (const auto& r : status->rows) saw_503 |= r.key == "503" && r.errors == 1 && *r.p50_ms == Approx(900);
  CHECK(saw_503);
  CHECK(fold_path("/users/42/orders/9f8c2a6e-1b2c-4d5e-8f90-123456789abc/items/deadbeefdeadbeef") ==
        "/users/{id}/orders/{id}/items/{id}");
  CHECK(fold_path("/v2/users") == "/v2/users");
}

TEST_CASE("Stats are bounded: groups past max_groups go under (other groups); a time limit says partial",
          "[query][stats][hostile]") {
  test::TempDir dir;
  auto db = open_query_database(store_of_3000(dir), OpenMode::read_only);
  REQUIRE(db.is_ok());
  StatsBounds few;
  few.max_groups = 10;
  auto folded = traffic_stats(**db, {}, StatsGroup::path, 100, {}, nullptr, few);  // 3000 paths, one folded group
  REQUIRE(folded.is_ok());
  CHECK_FALSE(folded->groups_capped);
  auto statuses = traffic_stats(**db, {}, StatsGroup::status, 100, {}, nullptr, StatsBounds{1, std::nullopt});
  REQUIRE(statuses.is_ok());
  CHECK(statuses->groups_capped);  // 200 and 500: the second goes under (other groups)
  CHECK(statuses->total == 3000);
  bool other = false;
  for (const StatsRow& r : statuses->rows) other |= r.key == kOtherGroups;
  CHECK(other);
  CHECK(stats_to_json(*statuses, StatsGroup::status)["groups_capped"] == true);

  StatsBounds instant;
  instant.time_limit = std::chrono::milliseconds(0);
  auto partial = traffic_stats(**db, {}, StatsGroup::host, 100, {}, nullptr, instant);
  REQUIRE(partial.is_ok());
  CHECK(partial->partial);
  CHECK(partial->total < 3000);  // stopped by SQLite's progress handler, inside the scan
  const nlohmann::json j = stats_to_json(*partial, StatsGroup::host);
  CHECK(j["partial"] == true);
  CHECK(j["time_limit_ms"] == 0);
  auto whole = traffic_stats(**db, {}, StatsGroup::host, 100);
  REQUIRE(whole.is_ok());
  CHECK_FALSE(whole->partial);
  CHECK(whole->total == 3000);
}

TEST_CASE("A filter query that runs too long is stopped with a clear message", "[query][hostile]") {
  test::TempDir dir;
  auto db = open_query_database(store_of_3000(dir), OpenMode::read_only);
  REQUIRE(db.is_ok());
  PageRequest r;
  r.filter.url_regex = "nothing-matches-this";
  r.time_limit = std::chrono::milliseconds(0);
  auto page = find_exchanges(**db, r);
  REQUIRE_FALSE(page.is_ok());
  CHECK(page.status().message().find("stopped after") != std::string::npos);
  std::atomic<bool> cancel{true};
  r.time_limit = std::chrono::milliseconds(60000);
  r.cancel = &cancel;
  CHECK(find_exchanges(**db, r).status().message() == "query cancelled");
  r.cancel = nullptr;
  CHECK(find_exchanges(**db, r).is_ok());  // the handler is gone after each query
}

TEST_CASE("URL search pages through the index in id order, both ways", "[query][search]") {
  Store store;
  {
    auto rw = open_database(store.path, OpenMode::read_write);
    bool remaining = true;
    while (remaining) REQUIRE(index_search_batch(**rw, 100, remaining).is_ok());
  }
  auto db = store.open();
  PageRequest r;
  r.filter.url_contains = "/V1/USERS";
  r.limit = 1;
  r.after_id = 0;
  std::vector<std::int64_t> seen;
  for (int i = 0; i < 10; ++i) {
    auto page = find_exchanges(*db, r);
    REQUIRE(page.is_ok());
    for (const auto& s : page->items) seen.push_back(s.id);
    if (!page->has_more) break;
    r.after_id = page->next_cursor;
  }
  CHECK(seen == Ids{1, 5, 6});
  PageRequest latest;
  latest.filter.url_contains = "users";
  latest.filter.methods = {"GET"};
  latest.newest_first = true;
  auto page = find_exchanges(*db, latest);
  REQUIRE(page.is_ok());
  REQUIRE(page->items.size() == 2);
  CHECK(page->items[0].id == 5);
  CHECK(page->items[1].id == 1);
}

TEST_CASE("Redaction masks secrets in header URLs (query, userinfo, fragment), bare cookies and encoded names",
          "[redaction][hostile]") {
  CHECK(redact_header_value("Referer", "https://a.example/cb?code=SECRET1&x=1") ==
        "https://a.example/cb?code=[REDACTED]&x=1");
  CHECK(redact_header_value("Location", "https://u:SECRET2@a.example/#access_token=SECRET3&state=s") ==
        "https://[REDACTED]@a.example/#access_token=[REDACTED]&state=s");
  CHECK(redact_header_value("Cookie", "SECRET4") == "[REDACTED]");
  CHECK(redact_header_value("X-Auth-Key", "SECRET5") == "[REDACTED]");
  CHECK(redact_query_string("api%5Fkey=SECRET6") == "api%5Fkey=[REDACTED]");
}

TEST_CASE("curl commands escape control characters with $'...' quoting and quote single quotes", "[query][hostile]") {
  Exchange e = test::make_exchange(3, "x");
  e.request.body.data = "'\x1b[3D; touch /tmp/pwned #";
  const std::string cmd = curl_command(e, false);
  for (const char c : cmd) CHECK((static_cast<unsigned char>(c) >= 0x20 || c == '\n'));
  CHECK(cmd.find("$'\\'\\x1b[3D; touch /tmp/pwned #'") != std::string::npos);
  CHECK(shell_quote("it's") == "'it'\\''s'");
}

TEST_CASE("A path prefix is a range on the path index, exact at its ends, whatever its last bytes", "[query]") {
  test::TempDir dir;
  auto writer = Writer::open(dir.file("t.db"));
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
  const std::vector<std::string> paths = {"/a", "/a/b", "/a0", "/b", "/\xff", "/\xff\xff/x", "/", "/A"};
  for (std::size_t i = 0; i < paths.size(); ++i) {
    Exchange e = test::make_exchange(static_cast<int>(i), "x");
    e.request.path = paths[i];
    REQUIRE((*writer)->consume(session, std::move(e)).is_ok());
  }
  REQUIRE((*writer)->close().is_ok());
  auto db = open_query_database(dir.file("t.db"), OpenMode::read_only);
  REQUIRE(db.is_ok());
  ExchangeFilter f;
  f.path_prefix = "/a";
  CHECK(ids(**db, f) == Ids{1, 2, 3});
  f.path_prefix = "/a/";
  CHECK(ids(**db, f) == Ids{2});
  f.path_prefix = "/\xff";
  CHECK(ids(**db, f) == Ids{5, 6});
  f.path_prefix = "/\xff\xff";
  CHECK(ids(**db, f) == Ids{6});
  f.path_prefix = "/";
  CHECK(ids(**db, f).size() == paths.size());
  auto condition = filter_condition(f);
  REQUIRE(condition.is_ok());
  SQLite::Statement plan(**db, "EXPLAIN QUERY PLAN SELECT e.id FROM exchanges e WHERE " + condition->sql);
  for (std::size_t i = 0; i < condition->params.size(); ++i)
    std::visit([&](const auto& v) { plan.bind(static_cast<int>(i + 1), v); }, condition->params[i]);
  REQUIRE(plan.executeStep());
  CHECK_THAT(plan.getColumn(3).getString(), Catch::Contains("exchanges_path"));
}

TEST_CASE("Filters match a non-ASCII path prefix, and body search finds text past the first megabyte",
          "[query][search]") {
  test::TempDir dir;
  auto writer = Writer::open(dir.file("t.db"));
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
  Exchange e = test::make_exchange(1, std::string(1u << 20, 'A') + "NEEDLEXYZ");
  e.request.path = "/caf\xc3\xa9/menu";
  REQUIRE((*writer)->consume(session, std::move(e)).is_ok());
  REQUIRE((*writer)->close().is_ok());
  {
    auto rw = open_database(dir.file("t.db"), OpenMode::read_write);
    bool remaining = true;
    while (remaining) REQUIRE(index_search_batch(**rw, 100, remaining).is_ok());
  }
  auto db = open_query_database(dir.file("t.db"), OpenMode::read_only);
  ExchangeFilter f;
  f.path_prefix = "/caf\xc3\xa9";
  CHECK(ids(**db, f) == Ids{1});
  f = {};
  f.body_contains = "needlexyz";
  CHECK(ids(**db, f) == Ids{1});
}

TEST_CASE("A word in many bodies is searched by walking the rows; every plan finds the same exchanges", "[query]") {
  test::TempDir dir;
  auto writer = Writer::open(dir.file("t.db"));
  REQUIRE(writer.is_ok());
  const auto session = *(*writer)->create_session({"s", session_source::har, "", session_status::imported, ""});
  // Every other exchange's response holds "common"; every 7th request (a POST) holds it too.
  const int count = 2 * kBodySearchByRowMatches + 200;
  for (int i = 0; i < count; ++i) {
    Exchange e = test::make_exchange(i, "{\"n\":" + std::to_string(i) + (i % 2 ? ",\"w\":\"Common\"}" : "}"));
    if (i % 7 == 0) e.request.body.data = "{\"q\":\"common " + std::to_string(i) + "\"}";
    REQUIRE((*writer)->consume(session, std::move(e)).is_ok());
  }
  REQUIRE((*writer)->close().is_ok());
  {
    auto rw = open_database(dir.file("t.db"), OpenMode::read_write);
    bool remaining = true;
    while (remaining) REQUIRE(index_search_batch(**rw, 1000, remaining).is_ok());
  }
  auto db = open_query_database(dir.file("t.db"), OpenMode::read_only);
  REQUIRE(db.is_ok());
  // "common" is in more than half the bodies: they are read row by row; "n":12, is in one.
  CHECK(*plan_body_search(**db, "common") == BodySearchPlan::walk_bodies);
  CHECK(*plan_body_search(**db, "\"n\":12,") == BodySearchPlan::lookup);
  CHECK(*plan_body_search(**db, "co") == BodySearchPlan::lookup);  // too short for the index: scanned either way

  ExchangeFilter f;
  f.body_contains = "COMMON";
  std::vector<std::int64_t> expected;
  for (int i = 0; i < count; ++i)
    if (i % 2 || i % 7 == 0) expected.push_back(i + 1);
  for (const auto plan : {BodySearchPlan::lookup, BodySearchPlan::walk_index, BodySearchPlan::walk_bodies}) {
    auto condition = filter_condition(f, ConditionPlan{plan});
    REQUIRE(condition.is_ok());
    SQLite::Statement st(**db, "SELECT e.id FROM exchanges e WHERE " + condition->sql + " ORDER BY e.id");
    for (std::size_t i = 0; i < condition->params.size(); ++i)
      std::visit([&](const auto& v) { st.bind(static_cast<int>(i + 1), v); }, condition->params[i]);
    std::vector<std::int64_t> found;
    while (st.executeStep()) found.push_back(st.getColumn(0).getInt64());
    CHECK(found == expected);
  }
  // Pages newest first and oldest first, and the capped count, under the chosen plan.
  PageRequest r;
  r.filter = f;
  r.limit = 50;
  auto first = find_exchanges(**db, r);
  REQUIRE(first.is_ok());
  CHECK(first->items.front().id == expected.front());
  CHECK(first->items.back().id == expected[49]);
  r.newest_first = true;
  auto latest = find_exchanges(**db, r);
  REQUIRE(latest.is_ok());
  CHECK(latest->items.front().id == expected.back());
  bool capped = false;
  auto n = count_exchanges(**db, f, 100000, &capped);
  REQUIRE(n.is_ok());
  CHECK(*n == static_cast<std::int64_t>(expected.size()));
  CHECK_FALSE(capped);
}
