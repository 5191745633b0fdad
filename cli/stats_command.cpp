#include "cli/stats_command.h"

#include <iostream>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "cli/filter_options.h"
#include "cli/table_printer.h"
#include "query/traffic_stats.h"

namespace trafficdb {
namespace {

struct StatsArgs {
  FilterOptions filters;
  std::string by = "host";
  std::size_t limit = 30;
  bool json = false;
};

std::string ms(const std::optional<double>& v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", *v);
  return buf;
}

}  // namespace

void add_stats_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand("stats", "Counts, error rates, bytes and latency by host, path, status, ...");
  cmd->footer("Errors are exchanges that failed (no response) or answered 5xx; 4xx are counted apart.\n"
              "--by path groups by the path's template: /users/{id}/orders/{uuid} ({id} numbers, {uuid},\n"
              "{hex}, {token}, {date}; docs/schema.md, path_template); --by endpoint by method and template:\n"
              "GET /users/{id}/orders/{uuid}. Latencies are p50/p95/max in ms.\n\n"
              "Example: trafficdb stats --by host_path --host '*.example.com' --since 1h");
  args->filters.add_to(*cmd);
  cmd->add_option("--by", args->by, "Group by: host, path, status, method, content_type, host_path, endpoint")
      ->check(CLI::IsMember({"host", "path", "status", "method", "content_type", "host_path", "endpoint"}))
      ->capture_default_str();
  cmd->add_option("--limit", args->limit, "Show the largest groups only")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([&context, &exit_status, args] {
    const auto filter = build_filter_or_report(args->filters, exit_status);
    if (!filter) return;
    const auto db = open_or_report(context.db_path(), OpenMode::read_only, exit_status);
    if (!db) return;
    const StatsGroup group = parse_stats_group(args->by).value();
    auto stats = traffic_stats(*db, *filter, group, args->limit);
    if (!stats.is_ok()) {
      std::cerr << "trafficdb: " << stats.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    if (args->json) {
      std::cout << stats_to_json(*stats, group).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const StatsRow& r : stats->rows) {
        char rate[16];
        std::snprintf(rate, sizeof rate, "%.1f%%", r.error_rate * 100);
        rows.push_back({r.key, std::to_string(r.count), std::to_string(r.errors), rate, std::to_string(r.client_errors),
                        std::to_string(r.response_bytes), ms(r.p50_ms), ms(r.p95_ms), ms(r.max_ms)});
      }
      print_table(std::cout, {args->by == "host_path" ? "HOST+PATH" : args->by, "COUNT", "ERRORS", "RATE", "4XX",
                              "BYTES", "P50", "P95", "MAX"},
                  rows, 70);
      std::cout << "(" << stats->total << " exchanges in " << stats->groups << " groups"
                << (stats->groups_capped ? "; past 10000 groups the rest are under (other groups)" : "") << ")\n";
    }
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
