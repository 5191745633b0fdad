#include "cli/query_command.h"

#include <iostream>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "cli/filter_options.h"
#include "cli/table_printer.h"
#include "query/exchange_page.h"
#include "query/redaction.h"

namespace trafficdb {
namespace {

struct QueryArgs {
  FilterOptions filters;
  std::int64_t after = -1;
  std::int64_t before = -1;
  bool latest = false;
  std::size_t limit = 50;
  bool json = false;
  bool count = false;
  bool no_redact = false;
};

std::string size_text(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : "-"; }

}  // namespace

void add_query_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* cmd = app.add_subcommand("query", "List exchanges matching filters, paged by id");
  cmd->footer(
      "Oldest first from --after ID (default: the start); --latest lists newest first (before --before ID).\n"
      "The last line gives the cursor for the next page. Query strings are shown with secrets masked\n"
      "unless --no-redact.\n\n"
      "Examples:\n"
      "  trafficdb query --host '*.example.com' --status 5xx\n"
      "  trafficdb query --latest --limit 20 --method POST --body-contains invoice\n"
      "  trafficdb query --session 3 --after 1200 --json");
  args->filters.add_to(*cmd);
  cmd->add_option("--after", args->after, "Start after this exchange id (ascending)");
  cmd->add_option("--before", args->before, "Only ids below this (descending with --latest)");
  cmd->add_flag("--latest", args->latest, "Newest first");
  cmd->add_option("--limit", args->limit, "Rows per page")->check(CLI::Range(std::size_t{1}, std::size_t{10000}))->capture_default_str();
  cmd->add_flag("--json", args->json, "Print JSON: {items, next_cursor, has_more}");
  cmd->add_flag("--count", args->count, "Also count all matching rows (up to 100000)");
  cmd->add_flag("--no-redact", args->no_redact, "Show secrets in query strings");
  cmd->callback([&context, &exit_status, args] {
    const auto filter = build_filter_or_report(args->filters, exit_status);
    if (!filter) return;
    const auto db = open_or_report(context.db_path(), OpenMode::read_only, exit_status);
    if (!db) return;
    PageRequest request;
    request.filter = *filter;
    if (args->after >= 0) request.after_id = args->after;
    if (args->before >= 0) request.before_id = args->before;
    request.newest_first = args->latest;
    request.limit = args->limit;
    auto page = find_exchanges(*db, request);
    if (!page.is_ok()) {
      std::cerr << "trafficdb: " << page.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    std::optional<std::int64_t> matched;
    bool capped = false;
    if (args->count) {
      auto n = count_exchanges(*db, *filter, 100000, &capped);
      if (n.is_ok()) matched = *n;
    }
    if (args->json) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& s : page->items) items.push_back(summary_to_json(s, !args->no_redact));
      nlohmann::json out = {{"items", items},
                            {"next_cursor", page->next_cursor ? nlohmann::json(*page->next_cursor) : nlohmann::json(nullptr)},
                            {"has_more", page->has_more}};
      if (matched) {
        out["matched"] = *matched;
        if (capped) out["matched_is_lower_bound"] = true;
      }
      std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& s : page->items) {
        std::string path = s.path;
        if (s.query) path += "?" + (args->no_redact ? *s.query : redact_query_string(*s.query));
        char ms[32] = "-";
        if (s.duration_ms) std::snprintf(ms, sizeof ms, "%.1f", *s.duration_ms);
        rows.push_back({std::to_string(s.id), s.started_at ? format_human_time(*s.started_at) : "-", s.method,
                        s.status ? std::to_string(*s.status) : "-", s.host, path, ms, size_text(s.resp_body_size),
                        s.error});
      }
      print_table(std::cout, {"ID", "STARTED", "METHOD", "STATUS", "HOST", "PATH", "MS", "SIZE", "ERROR"}, rows, 60);
      std::cout << "(" << page->items.size() << " rows";
      if (matched) std::cout << " of " << *matched << (capped ? "+" : "") << " matching";
      if (page->next_cursor)
        std::cout << "; next page: " << (request.newest_first || (request.before_id && !request.after_id) ? "--before " : "--after ")
                  << *page->next_cursor;
      std::cout << (page->has_more ? "" : "; no more rows now") << ")\n";
    }
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
