// MCP tool arguments: schemas from the parameter list, and checking what a
// client sends before anything runs.
#include <catch2/catch.hpp>

#include "mcp/tools.h"

using namespace trafficdb;
using namespace trafficdb::mcp;
using json = nlohmann::json;

namespace {

const Tool& tool(const std::vector<Tool>& tools, const std::string& name) {
  for (const Tool& t : tools)
    if (t.name == name) return t;
  FAIL("no tool " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Every tool describes itself completely", "[mcp]") {
  for (const Tool& t : all_tools()) {
    INFO(t.name);
    const json d = t.describe();
    CHECK_FALSE(d["title"].get<std::string>().empty());
    CHECK(d["description"].get<std::string>().size() > 60);
    CHECK(d["inputSchema"]["type"] == "object");
    for (const auto& [name, property] : d["inputSchema"]["properties"].items()) {
      INFO(name);
      CHECK_FALSE(property["description"].get<std::string>().empty());
      CHECK(property.contains("type"));
    }
    CHECK(d["outputSchema"]["type"] == "object");
    CHECK(d["annotations"]["readOnlyHint"] == t.read_only);
  }
  const auto tools = all_tools();
  CHECK(tool(tools, "delete_session").destructive);
  CHECK(tool(tools, "peek_exchanges").read_only);
  CHECK_FALSE(tool(tools, "read_exchanges").read_only);
}

TEST_CASE("Arguments are checked: types, bounds, enums, unknown names, required ones", "[mcp]") {
  const auto tools = all_tools();
  const auto& peek = tool(tools, "peek_exchanges").params;
  auto ok = check_arguments(json::object(), peek);
  REQUIRE(ok.is_ok());
  CHECK((*ok)["limit"] == 20);
  CHECK((*ok)["cursor"] == 0);

  auto bad_limit = check_arguments({{"limit", 100000}}, peek);
  REQUIRE_FALSE(bad_limit.is_ok());
  CHECK(bad_limit.status().message().find("'limit' must be between 1 and 200") != std::string::npos);
  CHECK(bad_limit.status().message().find("for example {\"limit\": 20}") != std::string::npos);

  auto wrong_type = check_arguments({{"limit", "ten"}}, peek);
  REQUIRE_FALSE(wrong_type.is_ok());
  CHECK(wrong_type.status().message().find("must be an integer") != std::string::npos);

  auto unknown = check_arguments({{"hots", "x"}}, peek);
  REQUIRE_FALSE(unknown.is_ok());
  CHECK(unknown.status().message().find("unknown argument 'hots'") != std::string::npos);

  auto missing = check_arguments(json::object(), tool(tools, "get_exchange").params);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().message().find("'id' is required") != std::string::npos);

  auto not_listed = check_arguments({{"group_by", "colour"}}, tool(tools, "traffic_stats").params);
  REQUIRE_FALSE(not_listed.is_ok());
  CHECK(not_listed.status().message().find("must be one of host, path") != std::string::npos);
}

TEST_CASE("Filters from arguments: what is wrong, with a corrected example", "[mcp]") {
  auto filter = filter_from_arguments({{"host", "*.example.com"}, {"method", "get, POST"}, {"status", "5xx"},
                                       {"has_error", false}, {"since", "2h"}});
  REQUIRE(filter.is_ok());
  CHECK(filter->methods == std::vector<std::string>{"GET", "POST"});
  CHECK(filter->statuses.size() == 1);
  CHECK(filter->has_error == false);
  CHECK(filter->since.has_value());

  auto method = filter_from_arguments({{"method", "FETCH"}});
  REQUIRE_FALSE(method.is_ok());
  CHECK(method.status().message().find("unknown method 'FETCH'") != std::string::npos);

  auto regex = filter_from_arguments({{"url_regex", "("}});
  REQUIRE_FALSE(regex.is_ok());
  CHECK(regex.status().message().find("argument 'url_regex'") != std::string::npos);
  CHECK(regex.status().message().find("for example") != std::string::npos);

  auto since = filter_from_arguments({{"since", "yesterday-ish"}});
  REQUIRE_FALSE(since.is_ok());
  CHECK(since.status().message().find("argument 'since'") != std::string::npos);
  CHECK(since.status().message().find("{\"since\": \"2h\"}") != std::string::npos);
}
