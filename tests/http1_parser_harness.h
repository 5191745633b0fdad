// Shared by the HttpMessageParser tests: a recording Events, a one-line
// description of each message, and a parser wired to its own BodyBudget.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "recorder/http1/http_message_parser.h"

namespace trafficdb::test {

using Kind = HttpMessageParser::Kind;
using Plan = HttpMessageParser::Plan;
using Lines = std::vector<std::string>;

// One line per message: start line, headers, body, framing facts, error.
inline std::string describe(const HttpMessage& m) {
  std::string s = m.is_request ? m.method + " " + m.target : std::to_string(m.status) + " " + m.reason;
  s += " " + m.version;
  for (const Header& h : m.headers) s += " [" + h.name + ": " + h.value + "]";
  s += " body='" + m.body + "'/" + std::to_string(m.body_length);
  if (m.body_missing) s += " missing=" + std::to_string(m.body_missing);
  if (m.body_cut) s += " cut";
  if (m.chunked) s += " chunked";
  for (const Header& h : m.trailers) s += " {" + h.name + ": " + h.value + "}";
  if (!m.head_done) s += " head-incomplete";
  if (!m.error.empty()) s += " error='" + m.error + "'";
  return s;
}

// Records what the parser reports; `plan` decides each Plan (default: a body
// as the headers say, then the next message).
class ParserEvents final : public HttpMessageParser::Events {
 public:
  Plan on_head(const HttpMessage& m) override {
    ++heads;
    return plan ? plan(m) : Plan{};
  }
  void on_message(HttpMessage&& m) override {
    described.push_back(describe(m));
    messages.push_back(std::move(m));
  }
  void on_opaque(std::string_view bytes, Micros) override { opaque += bytes; }
  void on_opaque_gap(std::uint64_t length) override { opaque_gaps.push_back(length); }
  void on_not_http(std::string_view why) override { not_http.emplace_back(why); }
  bool next_response_is_http09() override { return http09; }

  std::function<Plan(const HttpMessage&)> plan;
  bool http09 = false;
  int heads = 0;
  Lines described, not_http;
  std::vector<HttpMessage> messages;
  std::string opaque;
  std::vector<std::uint64_t> opaque_gaps;
};

// As HttpConnection decides it for responses: 1xx, 204 and 304 have no body.
inline Plan no_body_for_1xx_204_304(const HttpMessage& m) {
  Plan p;
  p.body_allowed = !(m.status / 100 == 1 || m.status == 204 || m.status == 304);
  return p;
}

struct ParserHarness {
  explicit ParserHarness(Kind kind, bool start_known = true, std::size_t max_body = 1u << 20,
                   std::size_t budget_limit = 1u << 30)
      : budget(budget_limit), parser(kind, events, max_body, &budget, start_known) {}
  void feed(std::string_view bytes, Micros at = 0) { parser.feed(bytes, at); }
  void feed_bytewise(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) parser.feed(bytes.substr(i, 1), static_cast<Micros>(i));
  }
  BodyBudget budget;  // outlives the messages recorded, which hold charges on it
  ParserEvents events;
  HttpMessageParser parser;
};

}  // namespace trafficdb::test
