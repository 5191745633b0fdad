#include "cli/sessions_command.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/table_printer.h"
#include "query/database_summary.h"
#include "query/session_list.h"
#include "store/database.h"

namespace trafficdb {
namespace {

struct SessionsArgs {
  bool json = false;
  bool detail = false;
  std::size_t limit = 100;
};

std::string time_or_dash(const std::optional<Micros>& t) { return t ? format_human_time(*t) : "-"; }

// One block per session: what the table shows, where it came from, and its
// capture integrity (every count, zeros included; split counts one line each).
void print_detail(std::ostream& out, const SessionInfo& s) {
  out << "session " << s.id << ": " << s.name << "\n"
      << "  source:     " << s.source << (s.source_uri.empty() ? "" : " " + s.source_uri) << "\n"
      << "  status:     " << s.status << (s.error.empty() ? "" : " (" + s.error + ")") << "\n"
      << "  exchanges:  " << s.exchange_count << " (" << s.error_count << " with an error), "
      << time_or_dash(s.first_exchange_at) << " - " << time_or_dash(s.last_exchange_at) << "\n";
  if (s.pruned_count > 0) out << "  pruned:     " << s.pruned_count << " exchanges removed by retention or prune\n";
  const nlohmann::json integrity = session_integrity_json(s);
  std::string totals;
  for (const auto& [name, value] : integrity.items()) {
    if (value.is_number()) totals += (totals.empty() ? "" : ", ") + name + " " + value.dump();
  }
  out << "  integrity:  " << totals << "\n";
  if (!integrity.value("source_counts", false))
    out << "              (recorded before trafficdb kept the source's counts: only the two above)\n";
  for (const auto& [name, value] : integrity.items()) {
    if (!value.is_object()) continue;
    out << "  " << name << ":";
    if (value.empty()) out << " none";
    out << "\n";
    for (const auto& [detail, n] : value.items()) out << "    " << n.dump() << "  " << detail << "\n";
  }
}

}  // namespace

void add_sessions_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<SessionsArgs>();
  CLI::App* cmd = app.add_subcommand("sessions", "List sessions (captures and imports), newest first");
  cmd->footer("Columns: id, name, source, status, exchanges, exchanges with errors, exchanges pruned\n"
              "(removed by retention or prune), and the time span of their exchanges (UTC); then the\n"
              "database's size, retention policy and what pruning removed (trafficdb retention).\n"
              "--detail adds each session's capture integrity: what the source saw and missed (packets, kernel drops, TCP gap bytes, connections skipped as\n"
              "not HTTP, TLS connections not decrypted by server name, reconnections, exchanges\n"
              "without a response, bodies cut at the size cap), zeros included. --json prints it all\n"
              "as a JSON array.");
  cmd->add_flag("--json", args->json, "Print JSON instead of a table");
  cmd->add_flag("--detail", args->detail, "One block per session, with its capture integrity");
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
    } else if (args->detail) {
      for (std::size_t i = 0; i < sessions->size(); ++i) {
        if (i) std::cout << "\n";
        print_detail(std::cout, (*sessions)[i]);
      }
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const SessionInfo& s : *sessions) {
        rows.push_back({std::to_string(s.id), s.name, s.source, s.status, std::to_string(s.exchange_count),
                        std::to_string(s.error_count), std::to_string(s.pruned_count),
                        time_or_dash(s.first_exchange_at), time_or_dash(s.last_exchange_at)});
      }
      print_table(std::cout, {"ID", "NAME", "SOURCE", "STATUS", "EXCHANGES", "ERRORS", "PRUNED", "FIRST", "LAST"},
                  rows, 40);
    }
    if (!args->json) {
      if (auto state = read_retention(**db); state.is_ok()) std::cout << database_summary_line(*state) << '\n';
    }
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
