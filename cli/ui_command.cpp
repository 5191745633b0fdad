#include "cli/ui_command.h"

#include <filesystem>
#include <iostream>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "common/local_origin.h"
#include "common/random_token.h"
#include "store/database.h"
#include "web/ui_server.h"

namespace trafficdb {
namespace {

struct UiArgs {
  std::string http = "127.0.0.1:0";
  std::string token;
  std::vector<std::string> allow_origins;
};

void log_ui_line(const std::string& line) { log_with_time("trafficdb ui", line); }

int run_ui(const CliContext& context, const UiArgs& args) {
  int status = exit_code::ok;
  const auto address = parse_listen_address_or_report("--http", args.http, status);
  if (!address) return status;
  // The page reads an existing store; it is opened (and migrated) once here
  // so that a problem with the file shows now.
  if (!open_or_report(context.db_path(), OpenMode::read_write, status)) return status;

  web::UiOptions options;
  options.db_path = std::filesystem::absolute(context.db_path()).string();
  options.host = address->host;
  options.port = address->port;
  options.token = args.token;
  options.allowed_origins = args.allow_origins;
  if (options.token.empty() && !is_loopback_host(options.host)) {
    auto token = random_hex_token(16);  // others on the network must not read the traffic
    if (!token.is_ok()) {
      std::cerr << "trafficdb: " << token.status().message() << '\n';
      return exit_code::unusable;
    }
    options.token = std::move(token).value();
    log_ui_line("listening beyond this machine: a token is required (it is in the URL below)");
  }

  return serve_until_signalled([&](const std::function<bool()>& should_stop) {
    return web::serve_ui(
        options, log_ui_line,
        [&](int port) {
          // The one line on stdout: the page's URL (port 0 picks one).
          std::cout << http_base_url({options.host, port}) << "/"
                    << (options.token.empty() ? "" : "?token=" + options.token) << std::endl;
        },
        should_stop);
  });
}

}  // namespace

void add_ui_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<UiArgs>();
  CLI::App* cmd = app.add_subcommand("ui", "Serve a local web page to browse the database (sessions, exchanges, "
                                           "live tail, waterfall, statistics)");
  cmd->footer(
      "Prints the page's URL on stdout and serves until Ctrl-C. Read-only, except deleting a session and\n"
      "exporting HAR when you ask. Works while recorders write; the exchanges page can follow a recording\n"
      "live. Captured content is shown as text, never run (see docs/ui.md).\n\n"
      "Example: trafficdb --db traffic.db ui            (http://127.0.0.1:PORT/)\n"
      "         trafficdb ui --http 0.0.0.0:8080        (a token is generated and put in the URL)");
  cmd->add_option("--http", args->http, "Listen on HOST:PORT (port 0: any free one)")->capture_default_str();
  cmd->add_option("--token", args->token,
                  "Require this token (the printed URL carries it; API clients send Authorization: Bearer TOKEN). "
                  "Generated when listening beyond loopback");
  cmd->add_option("--allow-origin", args->allow_origins, "Also accept requests with this Origin (repeatable)");
  cmd->callback([&context, &exit_status, args] { exit_status = run_ui(context, *args); });
}

}  // namespace trafficdb
