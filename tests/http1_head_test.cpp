// The helpers of recorder/http1/http_head.h: request and status lines (what
// is tolerated, what is refused), the early "could this be HTTP" checks,
// header lines with obs-fold, the end of a head, Content-Length agreement,
// Transfer-Encoding's last coding and chunk-size lines.
#include <string>

#include <catch2/catch.hpp>

#include "recorder/http1/http_head.h"

using namespace trafficdb;

namespace {

std::string request(std::string_view line) {
  const auto r = parse_request_line(line);
  return r ? r->method + "|" + r->target + "|" + r->version : "invalid";
}

std::string status(std::string_view line) {
  const auto s = parse_status_line(line);
  return s ? s->version + "|" + std::to_string(s->status) + "|" + s->reason : "invalid";
}

std::string content_length_of(const Headers& headers) {
  std::uint64_t length = 12345;
  switch (content_length(headers, length)) {
    case ContentLength::absent: return "absent";
    case ContentLength::invalid: return "invalid";
    case ContentLength::valid: return std::to_string(length);
  }
  return "?";
}

Headers cl(std::initializer_list<const char*> values) {
  Headers h{{"Host", "a"}};
  for (const char* v : values) h.push_back({"content-length", v});
  return h;
}

}  // namespace

TEST_CASE("parse_request_line reads method, target and version, tolerating spacing and CR", "[http1_head]") {
  CHECK(request("GET /path?q=1 HTTP/1.1") == "GET|/path?q=1|HTTP/1.1");
  CHECK(request("GET / HTTP/1.0\r") == "GET|/|HTTP/1.0");
  CHECK(request("POST  \t/x   HTTP/1.1  ") == "POST|/x|HTTP/1.1");
  CHECK(request("get / HTTP/1.1") == "get|/|HTTP/1.1");  // lower-case methods are kept as sent
  CHECK(request("M-SEARCH * HTTP/1.1") == "M-SEARCH|*|HTTP/1.1");
  CHECK(request("CONNECT example.com:443 HTTP/1.1") == "CONNECT|example.com:443|HTTP/1.1");
  CHECK(request("OPTIONS http://h/%7Euser HTTP/1.1") == "OPTIONS|http://h/%7Euser|HTTP/1.1");
  CHECK(request(std::string(64, 'M') + " / HTTP/1.1") == std::string(64, 'M') + "|/|HTTP/1.1");
}

TEST_CASE("parse_request_line takes a line of only GET and a target as HTTP/0.9", "[http1_head]") {
  CHECK(request("GET /index.html") == "GET|/index.html|HTTP/0.9");
  CHECK(request("GET /index.html\r") == "GET|/index.html|HTTP/0.9");
  CHECK(request("POST /index.html") == "invalid");  // HTTP/0.9 knew only GET
}

TEST_CASE("parse_request_line refuses lines that are not request lines", "[http1_head]") {
  CHECK(request("") == "invalid");
  CHECK(request("GET") == "invalid");
  CHECK(request("GET ") == "invalid");
  CHECK(request(" GET / HTTP/1.1") == "invalid");
  CHECK(request(std::string(65, 'M') + " / HTTP/1.1") == "invalid");  // method over 64 characters
  CHECK(request("GE(T / HTTP/1.1") == "invalid");                      // not a token
  CHECK(request("GET /a b HTTP/1.1") == "invalid");                    // space in the target
  CHECK(request("GET /a\x01 HTTP/1.1") == "invalid");                  // control character
  CHECK(request("GET /a\x7F HTTP/1.1") == "invalid");
  CHECK(request("GET / HTTP/1") == "invalid");
  CHECK(request("GET / HTTP/1.1.1") == "invalid");
  CHECK(request("GET / http/1.1") == "invalid");
  CHECK(request("GET / HTTP/1.1 extra") == "invalid");
  CHECK(request("\x16\x03\x01\x02\x00") == "invalid");
}

TEST_CASE("parse_status_line reads version, a three-digit status and the reason", "[http1_head]") {
  CHECK(status("HTTP/1.1 200 OK") == "HTTP/1.1|200|OK");
  CHECK(status("HTTP/1.0 500 Internal Server Error\r") == "HTTP/1.0|500|Internal Server Error");
  CHECK(status("HTTP/1.1 404") == "HTTP/1.1|404|");
  CHECK(status("HTTP/1.1  204   No Content  ") == "HTTP/1.1|204|No Content");
  CHECK(status("HTTP/1.1 999 Custom") == "HTTP/1.1|999|Custom");
  CHECK(status("HTTP/1.1 100 ") == "HTTP/1.1|100|");
}

TEST_CASE("parse_status_line refuses lines that are not status lines", "[http1_head]") {
  CHECK(status("") == "invalid");
  CHECK(status("HTTP/1.1 099 Low") == "invalid");
  CHECK(status("HTTP/1.1 20 OK") == "invalid");
  CHECK(status("HTTP/1.1 2000 OK") == "invalid");
  CHECK(status("HTTP/1.1 2x0 OK") == "invalid");
  CHECK(status("HTTP/1.1200 OK") == "invalid");
  CHECK(status("HTTP/2 200 OK") == "invalid");
  CHECK(status("ICY 200 OK") == "invalid");
  CHECK(status("GET / HTTP/1.1") == "invalid");
}

TEST_CASE("could_start_request and could_start_response judge a stream from its first bytes", "[http1_head]") {
  CHECK(could_start_request("G"));
  CHECK(could_start_request("GET"));
  CHECK(could_start_request("GET /"));
  CHECK(could_start_request("PROPFIND /dav HTTP/1.1"));
  CHECK(could_start_request(std::string(64, 'M')));
  CHECK_FALSE(could_start_request(std::string(65, 'M')));
  CHECK_FALSE(could_start_request(std::string(65, 'M') + " /"));
  CHECK_FALSE(could_start_request(std::string("\x16\x03\x01", 3)));
  CHECK_FALSE(could_start_request("SSH-2.0-OpenSSH_9.6\r\n"));
  CHECK_FALSE(could_start_request(" GET"));
  CHECK_FALSE(could_start_request("{\"json\":1}"));

  CHECK(could_start_response("H"));
  CHECK(could_start_response("HTTP"));
  CHECK(could_start_response("HTTP/1.1 200 OK"));
  CHECK_FALSE(could_start_response("HTTX"));
  CHECK_FALSE(could_start_response("SSH-2.0"));
  CHECK_FALSE(could_start_response("http/1.1 200 OK"));
}

TEST_CASE("parse_header_lines keeps order and duplicates, joins obs-fold and skips lines without a colon",
          "[http1_head]") {
  const Headers h = parse_header_lines(
      "Host: example.com\r\n"
      "Set-Cookie: a=1\r\n"
      "Set-Cookie: b=2\n"
      "X-Folded: first\r\n"
      "   second\r\n"
      "\tthird  \r\n"
      "no colon here\r\n"
      ": empty name\r\n"
      "X-Empty:\r\n"
      "Spaced-Name  :  value with spaces  \r\n"
      "X-Colon: a:b:c");
  CHECK(h == Headers{{"Host", "example.com"},
                     {"Set-Cookie", "a=1"},
                     {"Set-Cookie", "b=2"},
                     {"X-Folded", "first second third"},
                     {"X-Empty", ""},
                     {"Spaced-Name", "value with spaces"},
                     {"X-Colon", "a:b:c"}});
}

TEST_CASE("parse_header_lines drops a fold with no header before it", "[http1_head]") {
  CHECK(parse_header_lines(" folded\r\nA: 1\r\n") == Headers{{"A", "1"}});
}

TEST_CASE("find_head_end finds the blank line ending a head, with CRLF or bare LF", "[http1_head]") {
  const std::string crlf = "GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY";
  CHECK(find_head_end(crlf, 0) == crlf.find("BODY"));
  const std::string lf = "GET / HTTP/1.1\nHost: a\n\nBODY";
  CHECK(find_head_end(lf, 0) == lf.find("BODY"));
  CHECK(find_head_end("GET / HTTP/1.1\r\n\r\n", 0) == 18);
  // Not yet: the bytes after the last LF cannot tell.
  CHECK(find_head_end("GET / HTTP/1.1\r\nHost: a\r\n", 0) == std::string::npos);
  CHECK(find_head_end("GET / HTTP/1.1\r\nHost: a\r\n\r", 0) == std::string::npos);
  CHECK(find_head_end("GET / HTTP/1.1\r\nHost: a\r\nX", 0) == std::string::npos);
  // Searching from an offset skips earlier blank lines.
  const std::string two = "A\r\n\r\nB\r\n\r\n";
  CHECK(find_head_end(two, 0) == 5);
  CHECK(find_head_end(two, 5) == 10);
}

TEST_CASE("next_line returns each line without its end and moves past the LF", "[http1_head]") {
  const std::string text = "one\r\ntwo\nthree";
  std::size_t pos = 0;
  CHECK(next_line(text, pos) == "one");
  CHECK(pos == 5);
  CHECK(next_line(text, pos) == "two");
  CHECK(pos == 9);
  CHECK_FALSE(next_line(text, pos).has_value());
  CHECK(pos == 9);
}

TEST_CASE("content_length accepts one number, repeated or listed, and refuses disagreement", "[http1_head]") {
  CHECK(content_length_of({{"Host", "a"}}) == "absent");
  CHECK(content_length_of(cl({"42"})) == "42");
  CHECK(content_length_of(cl({"0"})) == "0");
  CHECK(content_length_of(cl({" 7 "})) == "7");
  CHECK(content_length_of(cl({"5, 5"})) == "5");
  CHECK(content_length_of(cl({"5", "5"})) == "5");
  CHECK(content_length_of(cl({"4611686018427387903"})) == "4611686018427387903");  // 2^62 - 1
  CHECK(content_length_of(cl({"5, 6"})) == "invalid");
  CHECK(content_length_of(cl({"5", "6"})) == "invalid");
  CHECK(content_length_of(cl({""})) == "invalid");
  CHECK(content_length_of(cl({"5,"})) == "invalid");
  CHECK(content_length_of(cl({"-1"})) == "invalid");
  CHECK(content_length_of(cl({"+5"})) == "invalid");
  CHECK(content_length_of(cl({"1e3"})) == "invalid");
  CHECK(content_length_of(cl({"0x10"})) == "invalid");
  CHECK(content_length_of(cl({"4611686018427387904"})) == "invalid");  // 2^62
  CHECK(content_length_of(cl({"99999999999999999999999"})) == "invalid");
}

TEST_CASE("chunked_is_final looks at the last coding of the last Transfer-Encoding", "[http1_head]") {
  CHECK_FALSE(chunked_is_final({{"Host", "a"}}).has_value());
  CHECK(chunked_is_final({{"Transfer-Encoding", "chunked"}}) == true);
  CHECK(chunked_is_final({{"transfer-encoding", "Chunked"}}) == true);
  CHECK(chunked_is_final({{"Transfer-Encoding", "gzip, chunked"}}) == true);
  CHECK(chunked_is_final({{"Transfer-Encoding", "chunked, gzip"}}) == false);
  CHECK(chunked_is_final({{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}}) == true);
  CHECK(chunked_is_final({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "gzip"}}) == false);
  CHECK(chunked_is_final({{"Transfer-Encoding", "identity"}}) == false);
}

TEST_CASE("parse_chunk_size reads hex digits up to 60 bits, with or without extensions", "[http1_head]") {
  CHECK(parse_chunk_size("0") == 0u);
  CHECK(parse_chunk_size("1a") == 26u);
  CHECK(parse_chunk_size("1A") == 26u);
  CHECK(parse_chunk_size("  ff  ") == 255u);
  CHECK(parse_chunk_size("5;name=value") == 5u);
  CHECK(parse_chunk_size("5 ; name=\"q\"") == 5u);
  CHECK(parse_chunk_size("0000000000000000000001") == 1u);  // leading zeros do not count
  CHECK(parse_chunk_size("fffffffffffffff") == 0xfffffffffffffffu);
  CHECK_FALSE(parse_chunk_size("1000000000000000").has_value());  // 2^60
  CHECK_FALSE(parse_chunk_size("").has_value());
  CHECK_FALSE(parse_chunk_size(";ext").has_value());
  CHECK_FALSE(parse_chunk_size("zz").has_value());
  CHECK_FALSE(parse_chunk_size("5x").has_value());
  CHECK_FALSE(parse_chunk_size("-5").has_value());
}

TEST_CASE("parse_malformed_request_line reads what servers would still take and says what is wrong",
          "[http1_head]") {
  const auto read = [](std::string_view line) -> std::string {
    const auto m = parse_malformed_request_line(line);
    if (!m) return "none";
    return m->line.method + " " + m->line.target + " " + m->line.version + " | " + m->problem;
  };
  CHECK(read("GET /index.html HTTP/1.") == "GET /index.html HTTP/1.1 | malformed HTTP version 'HTTP/1.' (read as HTTP/1.1)");
  CHECK(read("POST /form") == "POST /form HTTP/0.9 | no HTTP version (an HTTP/0.9-style request line) with method POST");
  CHECK(read("CONNECT example.com:443 HTTP/1.1 keep-alive") ==
        "CONNECT example.com:443 HTTP/1.1 | extra text after the version: 'keep-alive'");
  CHECK(read("GET/a HTTP/1.1") == "GET /a HTTP/1.1 | no space between the method and the target");
  CHECK(read("GET /aHTTP/1.1") == "GET /a HTTP/1.1 | no space between the target and the version");
  CHECK(read("GET http://h/x HTTP/1.1") == "none");  // well formed: parse_request_line's
  CHECK(read("Hello world") == "none");               // not a method, not a target
  CHECK(read("get /x HTTP/1.1 x") == "none");          // methods are upper case here
  CHECK(read("SSH-2.0-OpenSSH_9.2") == "none");
  CHECK(read("GET") == "none");
}
