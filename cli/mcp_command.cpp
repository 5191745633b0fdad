#include "cli/mcp_command.h"

#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/command_support.h"
#include "mcp/http_transport.h"
#include "mcp/stdio_transport.h"
#include "mcp/tools.h"
#include "store/background_indexer.h"
#include "store/database.h"
#include "store/migrations.h"

namespace trafficdb {
namespace {

struct McpArgs {
  std::string http;  // HOST:PORT, or "" for stdio
  std::string token;
  std::vector<std::string> allow_dirs;
  std::vector<std::string> allow_origins;
  std::vector<std::string> replay_allow_hosts;
  bool no_index = false;
};

void log_mcp_line(const std::string& line) { log_with_time("trafficdb mcp", line); }

int run_mcp(const CliContext& context, const McpArgs& args) {
  // The database is created (and migrated) up front, so the read tools work
  // on a fresh one and a problem with the file shows now, not at a call.
  {
    std::error_code ec;
    const bool existed = std::filesystem::exists(context.db_path(), ec);
    auto db = open_database(context.db_path(), OpenMode::read_write);
    if (!db.is_ok()) {
      std::cerr << "trafficdb: " << db.status().message() << '\n';
      return exit_code::unusable;
    }
    // Said, so that a mistyped --db does not pass unnoticed as an empty store.
    if (!existed)
      log_mcp_line("created a new, empty database at " + std::filesystem::absolute(context.db_path()).string());
  }
  mcp::McpOptions options;
  options.db_path = std::filesystem::absolute(context.db_path()).string();
  for (const std::string& dir : args.allow_dirs.empty() ? std::vector<std::string>{"."} : args.allow_dirs) {
    std::error_code ec;
    const auto canonical = std::filesystem::canonical(dir, ec);
    if (ec || !std::filesystem::is_directory(canonical)) {
      std::cerr << "trafficdb: --allow-dir " << dir << ": not a directory\n";
      return exit_code::usage;
    }
    options.allowed_dirs.push_back(canonical.string());
  }
  options.replay_allowed_hosts = args.replay_allow_hosts;
  const std::vector<mcp::Tool> tools = mcp::all_tools();
  // Search indexes catch up by themselves while the server runs.
  std::unique_ptr<BackgroundIndexer> indexer;
  if (!args.no_index) {
    auto started = BackgroundIndexer::start(options.db_path);
    if (started.is_ok()) indexer = std::move(started).value();
    else log_mcp_line("search indexes will not catch up by themselves: " + started.status().message());
  }

  if (args.http.empty()) {
    mcp::McpContext mcp_context(options);
    mcp::McpServer server(mcp_context, tools, log_mcp_line);
    mcp::serve_stdio(server, std::cin, std::cout, log_mcp_line);
    return exit_code::ok;  // stdin closed; captures stop as mcp_context goes
  }

  int status = exit_code::ok;
  const auto address = parse_listen_address_or_report("--http", args.http, status);
  if (!address) return status;
  mcp::HttpOptions http;
  http.host = address->host;
  http.port = address->port;
  http.token = args.token;
  http.allowed_origins = args.allow_origins;
  return serve_until_signalled([&](const std::function<bool()>& should_stop) {
    mcp::McpContext mcp_context(options);  // its threads start with the stop signals blocked
    return mcp::serve_http(
        mcp_context, tools, http, log_mcp_line,
        [&](int port) {
          // The one line on stdout: where to connect (port 0 picks one).
          std::cout << http_base_url({http.host, port}) << "/mcp" << std::endl;
        },
        should_stop);
  });
}

}  // namespace

void add_mcp_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<McpArgs>();
  CLI::App* cmd = app.add_subcommand("mcp", "Serve the database to AI agents over the Model Context Protocol");
  cmd->footer(
      "Without --http it speaks MCP on stdin/stdout (what an agent's client spawns) and exits when stdin\n"
      "closes. With --http HOST:PORT it serves Streamable HTTP at http://HOST:PORT/mcp and prints that\n"
      "URL. Tools: list_sessions, peek/read/filter_exchanges, get_exchange, traffic_stats, run_sql,\n"
      "import_capture, export_har, save_body, start/stop_capture, delete_session, diff_exchanges,\n"
      "diff_sessions, wait_for_exchange, replay_exchange (see docs/mcp.md).\n\n"
      "Example (Claude Desktop, Cursor...): {\"command\": \"trafficdb\", \"args\": [\"--db\", \"/path/traffic.db\", \"mcp\"]}");
  cmd->add_option("--http", args->http, "Serve Streamable HTTP on HOST:PORT instead of stdio (127.0.0.1:7411)");
  cmd->add_option("--token", args->token, "HTTP: require Authorization: Bearer TOKEN");
  cmd->add_option("--allow-origin", args->allow_origins, "HTTP: also accept requests with this Origin (repeatable)");
  cmd->add_option("--allow-dir", args->allow_dirs,
                  "Where import_capture may read and export_har may write (repeatable; default: the current "
                  "directory)");
  cmd->add_option("--replay-allow-host", args->replay_allow_hosts,
                  "Hosts replay_exchange may send to besides an exchange's own origin: exact, *.example.com, or "
                  "* for any (repeatable; default: none)");
  cmd->add_flag("--no-index", args->no_index,
                "Do not bring the search indexes up to date in the background (they otherwise catch up with "
                "imports and recordings by themselves, in small batches that never hold up a recorder)");
  cmd->callback([&context, &exit_status, args] { exit_status = run_mcp(context, *args); });
}

}  // namespace trafficdb
