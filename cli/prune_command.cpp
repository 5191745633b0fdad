#include "cli/prune_command.h"

#include <iostream>
#include <string_view>

#include <SQLiteCpp/Statement.h>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "cli/prune_report.h"
#include "common/byte_size.h"
#include "common/duration.h"
#include "store/pruning.h"
#include "store/retention_policy.h"

namespace trafficdb {
namespace {

struct PruneArgs {
  std::int64_t session = 0;
  std::string older_than;
  std::string step_target = "25ms";
  bool vacuum = false;
  bool json = false;
  bool verbose = false;
};

// The one-time full VACUUM that gives an older database incremental vacuum.
bool convert_or_report(SQLite::Database& db, const std::string& path, int& exit_status) {
  auto size = database_size(db);
  if (size.is_ok() && size->incremental_vacuum) return true;
  if (size.is_ok())
    std::cerr << "trafficdb: " << path << " predates incremental vacuum: rewriting it once (VACUUM) so pruning\n"
              << "  can shrink the file from now on. It holds "
              << format_byte_size(static_cast<std::uint64_t>(size->used_bytes))
              << ": this needs about as much free disk space again,\n"
                 "  and recorders and imports on this file wait until it is done (readers do not).\n";
  const auto started = std::chrono::steady_clock::now();
  if (Status s = convert_to_incremental_vacuum(db); !s.is_ok()) {
    std::cerr << "trafficdb: " << s.message() << '\n';
    exit_status = exit_code::unusable;
    return false;
  }
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto after = database_size(db);
  std::cerr << "trafficdb: converted in " << took << " s"
            << (after.is_ok() ? "; the file is now " + format_byte_size(static_cast<std::uint64_t>(after->file_bytes))
                              : std::string())
            << '\n';
  return true;
}

}  // namespace

void add_prune_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<PruneArgs>();
  CLI::App* cmd = app.add_subcommand("prune", "Remove old exchanges now: by the retention policy, by age or by session");
  cmd->footer(
      "Without --older-than or --session it applies the retention policy (trafficdb retention):\n"
      "exchanges older than its max age, then the oldest until the database is under its max size.\n"
      "--older-than and --session remove exchanges whatever the policy (both: that session's older ones;\n"
      "--session alone: all of that session's exchanges, keeping the session's row — see trafficdb delete).\n\n"
      "It works in small steps, each one transaction holding the write lock for about --step-target,\n"
      "resting as long between them, so recorders and imports on the same file go on meanwhile and\n"
      "readers are never blocked. Bodies no exchange uses any more, their search-index rows and\n"
      "WebSocket messages go too; then free pages go back to the file system (incremental vacuum).\n"
      "Consumer cursors stay valid: exchange ids are never given again.\n\n"
      "--vacuum: a database made before trafficdb used incremental vacuum does not shrink; this\n"
      "rewrites it once (a full VACUUM: recorders wait until it is done), then prunes as asked.\n\n"
      "Examples:\n"
      "  trafficdb prune\n"
      "  trafficdb prune --older-than 3d\n"
      "  trafficdb prune --session 4 --older-than 12h\n"
      "  trafficdb prune --vacuum");
  cmd->add_option("--older-than", args->older_than, "Remove exchanges that started longer ago (e.g. 12h, 3d)");
  cmd->add_option("--session", args->session, "Only this session's exchanges (all of them without --older-than)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--vacuum", args->vacuum, "Convert an older database to incremental vacuum once (full rewrite)");
  cmd->add_option("--step-target", args->step_target, "Write-lock hold each step aims at")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print what was removed as JSON");
  cmd->add_flag("-v,--verbose", args->verbose, "One line per step on stderr: what it removed, how long it held the lock");
  cmd->callback([&context, &exit_status, args] {
    PruneOptions options;
    auto step = parse_duration(args->step_target);
    if (!step.is_ok() || step->count() < 1 || step->count() > 10000) {
      std::cerr << "trafficdb: --step-target: " << (step.is_ok() ? "must be 1ms to 10s" : step.status().message()) << '\n';
      exit_status = exit_code::usage;
      return;
    }
    options.step_target = *step;
    if (args->verbose) {
      options.on_step = [](const char* kind, const PruneReport& r) {
        std::cerr << kind << " step: ";
        if (std::string_view(kind) == "merge") std::cerr << (r.index_merges ? "index merged" : "index merging");
        else if (std::string_view(kind) == "segments") std::cerr << "index segments merged";
        else std::cerr << r.exchanges << " exchanges, " << r.bodies << " bodies, " << r.bytes_given_back << " bytes given back";
        std::cerr << "; write lock held "
                  << static_cast<double>(r.longest_step.count()) / 1000.0 << " ms ("
                  << static_cast<double>(r.longest_step_cpu.count()) / 1000.0 << " ms CPU)\n";
      };
    }
    std::optional<Micros> cutoff;
    if (!args->older_than.empty()) {
      auto age = parse_duration(args->older_than);
      if (!age.is_ok()) {
        std::cerr << "trafficdb: --older-than: " << age.status().message() << '\n';
        exit_status = exit_code::usage;
        return;
      }
      cutoff = now_micros() - static_cast<Micros>(age->count()) * 1000;
    }
    auto db = open_or_report(context.db_path(), OpenMode::read_write, exit_status);
    if (!db) return;
    if (args->vacuum && !convert_or_report(*db, context.db_path(), exit_status)) return;

    Result<PruneReport> report = Status::error("nothing done");
    if (cutoff || args->session > 0) {
      SQLite::Statement exists(*db, "SELECT count(*) FROM sessions WHERE id = ?");
      exists.bind(1, static_cast<std::int64_t>(args->session));
      if (args->session > 0 && exists.executeStep() && exists.getColumn(0).getInt() == 0) {
        std::cerr << "trafficdb: no session with id " << args->session << " (see trafficdb sessions)\n";
        exit_status = exit_code::usage;
        return;
      }
      PruneSelection selection;
      selection.started_before = cutoff;
      if (args->session > 0) selection.session_id = args->session;
      report = prune(*db, selection, options);
    } else {
      auto policy = read_retention_policy(*db);
      if (!policy.is_ok()) {
        std::cerr << "trafficdb: " << policy.status().message() << '\n';
        exit_status = exit_code::unusable;
        return;
      }
      if (policy->empty() && !args->vacuum) {
        std::cerr << "trafficdb: no retention policy is set: give --older-than or --session, or set one "
                     "(trafficdb retention set --max-age 7d --max-size 2GB)\n";
        exit_status = exit_code::usage;
        return;
      }
      report = policy->empty() ? vacuum_free_pages(*db, options) : apply_retention(*db, *policy, options);
    }
    if (!report.is_ok()) {
      std::cerr << "trafficdb: " << report.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    if (args->json) std::cout << prune_report_json(*report).dump(2) << '\n';
    else print_prune_report(std::cout, *report);
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
