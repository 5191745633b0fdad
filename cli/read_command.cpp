#include "cli/read_command.h"

#include <iostream>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "cli/filter_options.h"
#include "query/consumer_cursor.h"

namespace trafficdb {
namespace {

struct ReadArgs {
  FilterOptions filters;
  std::string consumer;
  std::int64_t session = 0;
  std::size_t limit = 50;
  bool no_redact = false;
};

}  // namespace

void add_read_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<ReadArgs>();
  CLI::App* cmd = app.add_subcommand("read", "Read the next exchanges for a named consumer and move its cursor");
  cmd->footer("Each consumer (per session, or 0 for all) sees every exchange once; two readers sharing a\n"
              "name never get the same exchange. Prints JSON: {items, next_cursor, has_more}.\n"
              "To look without moving a cursor, use: trafficdb query --after ID");
  args->filters.add_to(*cmd);
  cmd->add_option("--consumer", args->consumer, "Consumer name")->required();
  cmd->add_option("--session-cursor", args->session, "Follow this session only (0: all sessions)")->capture_default_str();
  cmd->add_option("--limit", args->limit, "Exchanges per read")->check(CLI::Range(std::size_t{1}, std::size_t{10000}))->capture_default_str();
  cmd->add_flag("--no-redact", args->no_redact, "Show secrets in query strings");
  cmd->callback([&context, &exit_status, args] {
    const auto filter = build_filter_or_report(args->filters, exit_status);
    if (!filter) return;
    const auto db = open_or_report(context.db_path(), OpenMode::read_write, exit_status);
    if (!db) return;
    auto page = read_for_consumer(*db, args->consumer, args->session, *filter, args->limit);
    if (!page.is_ok()) {
      std::cerr << "trafficdb: " << page.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : page->items) items.push_back(summary_to_json(s, !args->no_redact));
    std::cout << nlohmann::json{{"items", items}, {"next_cursor", *page->next_cursor}, {"has_more", page->has_more}}
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
