#include "cli/diff_command.h"

#include <iostream>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "query/exchange_diff.h"
#include "query/exchange_diff_text.h"
#include "query/session_diff.h"

namespace trafficdb {
namespace {

struct DiffArgs {
  std::int64_t a = 0, b = 0;
  bool json = false;
  std::vector<std::string> ignore_headers;
  bool all_headers = false;
  bool no_redact = false;
  bool sessions = false;
};

// The volatile header names, wrapped for the help text.
std::string volatile_header_list() {
  std::string names, line;
  for (const std::string_view n : kVolatileHeaders) {
    if (!line.empty() && line.size() + n.size() > 90) {
      names += line + ",\n";
      line.clear();
    }
    line += (line.empty() ? "" : ", ") + std::string(n);
  }
  return names + line;
}

}  // namespace

void add_diff_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Show how two exchanges differ (request line, status, headers, bodies, timing), or two sessions");
  cmd->footer(
      "Lines starting '-' are exchange A's, '+' exchange B's; parts that are the same are left out.\n"
      "Headers are matched by name (any case). Skipped unless --all-headers, as they differ between any\n"
      "two calls:\n" + volatile_header_list() + ".\n"
      "JSON bodies are compared by structure ($.items[3].price: 1 -> 2), other text bodies as a unified\n"
      "diff by lines, binary bodies by size and equality; each is bounded (very large or very different\n"
      "bodies are summarized). Secrets (Authorization, cookies, API keys, token query parameters) are\n"
      "compared as stored but shown masked unless --no-redact.\n\n"
      "Example: trafficdb diff 41 42 --ignore-header Server --json\n\n"
      "With --sessions, A and B are sessions: \"it works here and fails there\". Endpoints (method and path\n"
      "template, /users/{id}) called in one session only; for those called in both, the status mix and\n"
      "p50/p95 latency side by side, most different first; and the first call where the two sequences\n"
      "diverge (another endpoint, or another status class). At most the first 200000 exchanges of each.\n"
      "Example: trafficdb diff --sessions 3 4");
  cmd->add_option("a", args->a, "First exchange id, or session id with --sessions (shown as '-')")->required()->check(CLI::PositiveNumber);
  cmd->add_option("b", args->b, "Second exchange id, or session id with --sessions (shown as '+')")->required()->check(CLI::PositiveNumber);
  cmd->add_flag("--json", args->json, "Print the difference as JSON");
  cmd->add_option("--ignore-header", args->ignore_headers, "Also skip this header (repeatable)");
  cmd->add_flag("--all-headers", args->all_headers, "Compare every header, the volatile ones and --ignore-header too");
  cmd->add_flag("--no-redact", args->no_redact, "Show secrets");
  cmd->add_flag("--sessions", args->sessions, "A and B are session ids: compare the two sessions by endpoint");
  cmd->callback([&context, &exit_status, args] {
    const auto db = open_or_report(context.db_path(), OpenMode::read_only, exit_status);
    if (!db) return;
    auto print = [&](const Result<nlohmann::json>& diff, std::string (*as_text)(const nlohmann::json&)) {
      if (!diff.is_ok()) {
        std::cerr << "trafficdb: " << diff.status().message() << '\n';
        exit_status = exit_code::unusable;
        return;
      }
      if (args->json) std::cout << diff->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      else std::cout << as_text(*diff);
      exit_status = exit_code::ok;
    };
    if (args->sessions) return print(diff_sessions(*db, args->a, args->b), session_diff_text);
    DiffOptions options;
    options.ignore_headers = args->ignore_headers;
    options.all_headers = args->all_headers;
    options.redact = !args->no_redact;
    print(diff_stored_exchanges(*db, args->a, args->b, options), render_exchange_diff);
  });
}

}  // namespace trafficdb
