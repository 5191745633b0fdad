#include <catch2/catch.hpp>

#include "recorder/url.h"

using namespace trafficdb;

TEST_CASE("Absolute URLs split into stored parts", "[url]") {
  auto u = parse_url("HTTPS://User:pw@API.Example.com:8443/v1/items?id=1&x=2#frag");
  REQUIRE(u.is_ok());
  CHECK(u->scheme == "https");
  CHECK(u->host == "api.example.com");
  CHECK(u->port == 8443);
  CHECK(u->path == "/v1/items");
  CHECK(u->query == "id=1&x=2");

  auto plain = parse_url("http://example.com");
  REQUIRE(plain.is_ok());
  CHECK(plain->port == 80);
  CHECK(plain->path == "/");
  CHECK_FALSE(plain->query.has_value());

  auto empty_query = parse_url("http://example.com/a?");
  REQUIRE(empty_query.is_ok());
  CHECK(empty_query->query == "");

  auto v6 = parse_url("http://[::1]:8080/x");
  REQUIRE(v6.is_ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 8080);

  auto origin = parse_url("/just/a/path?q=1");
  REQUIRE(origin.is_ok());
  CHECK(origin->path == "/just/a/path");
  CHECK(origin->query == "q=1");
  CHECK(origin->host.empty());
}

TEST_CASE("Bad URLs are refused with a reason", "[url]") {
  for (const char* bad : {"", "example.com/path", "http://", "http://host:99999/", "http://host:12a/",
                          "http://ho st/", "http://[::1/"}) {
    INFO(bad);
    auto u = parse_url(bad);
    CHECK_FALSE(u.is_ok());
    CHECK_FALSE(u.status().message().empty());
  }
}
