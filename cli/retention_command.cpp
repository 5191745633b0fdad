#include "cli/retention_command.h"

#include <filesystem>
#include <iostream>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "common/byte_size.h"
#include "common/duration.h"
#include "query/database_summary.h"
#include "query/query_database.h"
#include "store/retention_policy.h"

namespace trafficdb {
namespace {

struct RetentionArgs {
  bool json = false;
  std::string max_age;
  std::string max_size;
};

void print_retention(std::ostream& out, const RetentionState& s) {
  out << "retention policy: ";
  if (s.policy.empty()) out << "none (nothing is pruned unless you run trafficdb prune --older-than ...)";
  if (s.policy.max_age_us) out << "max age " << format_max_age(*s.policy.max_age_us);
  if (s.policy.max_age_us && s.policy.max_size_bytes) out << ", ";
  if (s.policy.max_size_bytes) out << "max size " << format_byte_size(*s.policy.max_size_bytes);
  out << "\n";
  if (s.policy_set_at) out << "  set:          " << format_human_time(*s.policy_set_at) << "\n";
  out << "database size: " << format_byte_size(static_cast<std::uint64_t>(s.size.used_bytes)) << " used, "
      << format_byte_size(static_cast<std::uint64_t>(s.size.free_bytes)) << " free, "
      << format_byte_size(static_cast<std::uint64_t>(s.size.file_bytes)) << " file\n";
  if (!s.size.incremental_vacuum)
    out << "  free pages are reused but the file never shrinks: this database predates incremental\n"
           "  vacuum; run 'trafficdb prune --vacuum' once to convert it (rewrites the whole file)\n";
  out << "pruned so far: " << s.pruned.exchanges << " exchanges, " << s.pruned.bodies << " bodies ("
      << format_byte_size(static_cast<std::uint64_t>(s.pruned.body_bytes)) << "), " << s.pruned.websocket_messages
      << " WebSocket messages; " << format_byte_size(static_cast<std::uint64_t>(s.pruned.bytes_given_back))
      << " given back to the file system\n";
  if (s.pruned.last_pruned_at) {
    out << "  last pruned:  " << format_human_time(*s.pruned.last_pruned_at);
    if (s.pruned.last_longest_step_ms) out << " (longest write-lock hold " << *s.pruned.last_longest_step_ms << " ms)";
    out << "\n";
  }
}

int show(const CliContext& context, bool json) {
  int exit_status = exit_code::ok;
  auto db = open_or_report(context.db_path(), OpenMode::read_only, exit_status);
  if (!db) return exit_status;
  auto state = read_retention(*db);
  if (!state.is_ok()) {
    std::cerr << "trafficdb: " << state.status().message() << '\n';
    return exit_code::unusable;
  }
  if (json) std::cout << database_summary_json(*state).dump(2) << '\n';
  else print_retention(std::cout, *state);
  return exit_code::ok;
}

// A policy may be set before anything is recorded (a service's setup):
// the database is created then, and the command says so.
int change(const CliContext& context, const RetentionPolicy& policy) {
  const std::string path = context.db_path();
  if (!std::filesystem::exists(path)) std::cerr << "trafficdb: " << path << ": a new, empty database\n";
  auto opened = open_query_database(path, OpenMode::read_write);
  if (!opened.is_ok()) {
    std::cerr << "trafficdb: " << opened.status().message() << '\n';
    return exit_code::unusable;
  }
  std::unique_ptr<SQLite::Database> db = std::move(opened).value();
  if (Status s = set_retention_policy(*db, policy); !s.is_ok()) {
    std::cerr << "trafficdb: " << s.message() << '\n';
    return s.is(Status::Code::invalid_input) ? exit_code::usage : exit_code::unusable;
  }
  auto state = read_retention(*db);
  if (state.is_ok()) print_retention(std::cout, *state);
  if (!policy.empty())
    std::cout << "recorders apply it every 30 s (record --retention-every); 'trafficdb prune' applies it now\n";
  return exit_code::ok;
}

}  // namespace

void add_retention_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<RetentionArgs>();
  CLI::App* cmd = app.add_subcommand("retention", "Show or set how old and how large the database may grow");
  cmd->footer(
      "Without a subcommand: the policy, the database's size and what pruning has removed.\n"
      "The policy is kept in the database file. Running recorders apply it every 30 s (and as\n"
      "soon as the size limit is passed) and 'trafficdb prune' applies it at once: the oldest\n"
      "exchanges go first (also inside a session still recording), then the bodies no exchange\n"
      "uses any more, their search-index rows and WebSocket messages, and the free space goes\n"
      "back to the file system (incremental vacuum; a running recorder keeps up to a quarter of\n"
      "the size limit, at most 64 MiB, free in the file to fill again).\n"
      "Size is what SQLite's pages hold (page_count - freelist_count) x page_size, without the\n"
      "write-ahead log.\n\n"
      "Examples:\n"
      "  trafficdb retention set --max-age 7d --max-size 2GB\n"
      "  trafficdb retention\n"
      "  trafficdb retention clear");
  cmd->add_flag("--json", args->json, "Print JSON");

  CLI::App* set = cmd->add_subcommand("set", "Set the policy (replaces the previous one)");
  set->add_option("--max-age", args->max_age, "Remove exchanges that started longer ago (e.g. 12h, 7d, 30d)");
  set->add_option("--max-size", args->max_size, "Remove the oldest exchanges while the database uses more (e.g. 500MB, 2GB, 1.5GiB)");
  set->callback([&context, &exit_status, args] {
    if (args->max_age.empty() && args->max_size.empty()) {
      std::cerr << "trafficdb: retention set: give --max-age, --max-size or both (retention clear removes the policy)\n";
      exit_status = exit_code::usage;
      return;
    }
    RetentionPolicy policy;
    if (!args->max_age.empty()) {
      auto age = parse_duration(args->max_age);
      if (!age.is_ok() || age->count() <= 0) {
        std::cerr << "trafficdb: --max-age: " << (age.is_ok() ? "must be positive" : age.status().message()) << '\n';
        exit_status = exit_code::usage;
        return;
      }
      policy.max_age_us = static_cast<std::int64_t>(age->count()) * 1000;
    }
    if (!args->max_size.empty()) {
      auto size = parse_byte_size(args->max_size);
      if (!size.is_ok() || *size == 0) {
        std::cerr << "trafficdb: --max-size: " << (size.is_ok() ? "must be positive" : size.status().message()) << '\n';
        exit_status = exit_code::usage;
        return;
      }
      policy.max_size_bytes = *size;
    }
    exit_status = change(context, policy);
  });
  CLI::App* clear = cmd->add_subcommand("clear", "Remove the policy: nothing is pruned by itself any more");
  clear->callback([&context, &exit_status] { exit_status = change(context, RetentionPolicy{}); });
  cmd->callback([&context, &exit_status, args, cmd] {
    if (cmd->get_subcommands().empty()) exit_status = show(context, args->json);
  });
}

}  // namespace trafficdb
