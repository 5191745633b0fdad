// MCP over stdio: the bound on requests running at once.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include "mcp/compact_text.h"
#include "mcp/server.h"
#include "mcp/stdio_transport.h"
#include "mcp/tool.h"

using namespace trafficdb::mcp;
using json = nlohmann::json;

TEST_CASE("stdio: past 16 running requests a new one is answered 'server busy' at once", "[mcp]") {
  // A tool that runs until it is cancelled: every request stays running until
  // stdin closes and the transport cancels them all.
  Tool wait_tool{.name = "wait_for_cancel",
                 .title = "Wait",
                 .description = "Runs until cancelled.",
                 .params = {},
                 .output_schema = {{"type", "object"}},
                 .run = [](ToolCall& call) {
                   while (!call.cancelled.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                   return ToolResult{json::object(), {}};
                 },
                 .render_text = fields_text};
  const std::vector<Tool> tools{wait_tool};
  McpContext context(McpOptions{":memory:", {}, {}});
  McpServer server(context, tools, nullptr);

  std::ostringstream requests;
  for (int id = 1; id <= 20; ++id)
    requests << json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"},
                     {"params", {{"name", "wait_for_cancel"}, {"arguments", json::object()}}}}
                    .dump()
             << '\n';
  requests << R"({"jsonrpc":"2.0","id":"p","method":"ping"})" << '\n';
  std::istringstream in(requests.str());
  std::ostringstream out;
  serve_stdio(server, in, out, nullptr);

  std::istringstream replies(out.str());
  std::vector<json> busy;
  std::string line;
  while (std::getline(replies, line)) busy.push_back(json::parse(line));
  // Requests 17..20 and the ping found 16 running; the 16 cancelled at the end get no response.
  REQUIRE(busy.size() == 5);
  for (std::size_t i = 0; i < busy.size(); ++i) {
    INFO(busy[i].dump());
    CHECK(busy[i]["error"]["code"] == -32000);
    CHECK(busy[i]["error"]["message"].get<std::string>().find("server busy") != std::string::npos);
    CHECK(busy[i]["id"] == (i < 4 ? json(17 + static_cast<int>(i)) : json("p")));
  }
}
