#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "query/body_redaction.h"

using namespace trafficdb;

namespace {
std::string redacted(std::string_view body, std::string_view type = "application/json") {
  const auto r = redact_body(body, type);
  return r ? r->text : std::string(body);
}
}  // namespace

TEST_CASE("Body redaction: JSON keys named like secrets, formatting kept", "[redaction]") {
  CHECK(redacted(R"({"user": "ann", "password": "hunter2"})") == R"({"user": "ann", "password": "[REDACTED]"})");
  CHECK(redacted("{\n  \"access_token\" :\t\"abc.def\",\n  \"expires_in\": 3600\n}") ==
        "{\n  \"access_token\" :\t\"[REDACTED]\",\n  \"expires_in\": 3600\n}");
  // Nested, in arrays, names matched case-insensitively and by fragment.
  CHECK(redacted(R"([{"auth":{"Client_Secret":"s3","refreshToken":"r"}},{"csrf_token":"c"}])") ==
        R"([{"auth":{"Client_Secret":"[REDACTED]","refreshToken":"[REDACTED]"}},{"csrf_token":"[REDACTED]"}])");
  // Numbers only under password-like keys; a count named like a token stays.
  CHECK(redacted(R"({"pin": 1234, "password": 42, "tokens_used": 17, "code": 404})") ==
        R"({"pin": "[REDACTED]", "password": "[REDACTED]", "tokens_used": 17, "code": 404})");
  // Escaped quotes inside values do not end them.
  CHECK(redacted(R"({"secret": "a\"b", "next": "x"})") == R"({"secret": "[REDACTED]", "next": "x"})");
  // A key that is only a value (no colon) is not a key.
  CHECK_FALSE(redact_body(R"(["password", "token"])", "application/json"));
  CHECK_FALSE(redact_body(R"({"user": "ann", "items": [1, 2]})", "application/json"));
}

TEST_CASE("Body redaction: JSON found by its first byte; broken JSON masked as far as it reads", "[redaction]") {
  CHECK(redacted(R"(  {"password":"p"})", "text/plain") == R"(  {"password":"[REDACTED]"})");
  CHECK(redacted(R"({"password":"p", "x": {"token": "unterminated)") ==
        R"({"password":"[REDACTED]", "x": {"token": "[REDACTED]")");
  CHECK(redacted(R"({"password":)") == R"({"password":)");
}

TEST_CASE("Body redaction: form fields, as query strings are", "[redaction]") {
  CHECK(redacted("user=ann&password=hunter2&remember=1", "application/x-www-form-urlencoded; charset=utf-8") ==
        "user=ann&password=[REDACTED]&remember=1");
  CHECK_FALSE(redact_body("user=ann&remember=1", "application/x-www-form-urlencoded"));
}

TEST_CASE("Body redaction: values shaped like secrets, anywhere", "[redaction]") {
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  CHECK(redacted("token: " + jwt + " end", "text/plain") == "token: [REDACTED] end");
  CHECK(redacted(R"({"note": ")" + jwt + R"("})") == R"({"note": "[REDACTED]"})");
  CHECK(redacted("Authorization was Bearer abcdefghijklmnop0123 here", "text/plain") ==
        "Authorization was Bearer [REDACTED] here");
  CHECK(redacted("curl -H 'authorization: bearer abcdefghijklmnop0123'", "text/plain") ==
        "curl -H 'authorization: bearer [REDACTED]'");
  CHECK(redacted("key AKIAIOSFODNN7EXAMPLE in text", "text/html") == "key [REDACTED] in text");
  CHECK(redacted("ghp_0123456789abcdefghijklmnopqrstuvwxyz", "text/plain") == "[REDACTED]");
  CHECK(redacted("-----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY-----\nafter", "text/plain") ==
        "[REDACTED]\nafter");
  CHECK_FALSE(redact_body("just some text about tokens and Bearer", "text/plain"));
  const auto r = redact_body(R"({"password":"a","b":")" + jwt + R"("})", "application/json");
  REQUIRE(r);
  CHECK(r->masked == 2);
}

TEST_CASE("Body redaction: extra names from the rules apply to bodies", "[redaction]") {
  const RedactionRules rules = RedactionRules::with_extra({}, {"ssn"});
  const auto r = redact_body(R"({"ssn": "123-45-6789", "name": "a"})", "application/json", rules);
  REQUIRE(r);
  CHECK(r->text == R"({"ssn": "[REDACTED]", "name": "a"})");
  // A name the caller added is masked whatever its value: a number too.
  const auto n = redact_body(R"({"ssn": 123456789, "count": 3})", "application/json", rules);
  REQUIRE(n);
  CHECK(n->text == R"({"ssn": "[REDACTED]", "count": 3})");
}

TEST_CASE("Body redaction: hostile bodies take linear time", "[redaction][hostile]") {
  const auto started = std::chrono::steady_clock::now();
  std::string quotes(4 << 20, '"');  // 4 MiB of quotes: every one opens or closes a string
  redact_body(quotes, "application/json");
  std::string keys;
  for (int i = 0; i < 200000; ++i) keys += R"("password":"x",)";
  const auto r = redact_body("{" + keys + "}", "application/json");
  REQUIRE(r);
  CHECK(r->masked == 200000);
  std::string almost_jwt = "eyJ" + std::string(2 << 20, 'a') + ".eyJ";  // no second dot: no match
  redact_body(almost_jwt, "text/plain");
  std::string pem = "-----BEGIN PRIVATE KEY-----" + std::string(2 << 20, 'A');  // never ends
  redact_body(pem, "text/plain");
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}
