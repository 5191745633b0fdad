#include "cli/sessions_command.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/table_printer.h"
#include "query/session_list.h"
#include "store/database.h"

namespace trafficdb {
namespace {

struct SessionsArgs {
  bool json = false;
  std::size_t limit = 100;
};

std::string time_or_dash(const std::optional<Micros>& t) { return t ? format_human_time(*t) : "-"; }

}  // namespace

void add_sessions_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<SessionsArgs>();
  CLI::App* cmd = app.add_subcommand("sessions", "List sessions (captures and imports), newest first");
  cmd->footer("Columns: id, name, source, status, exchanges, exchanges with errors, and the time span\n"
              "of their exchanges (UTC). --json prints the same as a JSON array.");
  cmd->add_flag("--json", args->json, "Print JSON instead of a table");
  cmd->add_option("--limit", args->limit, "Show at most this many sessions")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  cmd->callback([&context, &exit_status, args] {
    auto db = open_database(context.db_path(), OpenMode::read_only);
    if (!db.is_ok()) {
      std::cerr << "trafficdb: " << db.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    auto sessions = list_sessions(**db, args->limit);
    if (!sessions.is_ok()) {
      std::cerr << "trafficdb: " << sessions.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    if (args->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const SessionInfo& s : *sessions) out.push_back(session_to_json(s));
      std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else if (sessions->empty()) {
      std::cout << "no sessions in " << context.db_path() << " (import a file: trafficdb import FILE)\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const SessionInfo& s : *sessions) {
        rows.push_back({std::to_string(s.id), s.name, s.source, s.status, std::to_string(s.exchange_count),
                        std::to_string(s.error_count), time_or_dash(s.first_exchange_at),
                        time_or_dash(s.last_exchange_at)});
      }
      print_table(std::cout, {"ID", "NAME", "SOURCE", "STATUS", "EXCHANGES", "ERRORS", "FIRST", "LAST"}, rows, 40);
    }
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
