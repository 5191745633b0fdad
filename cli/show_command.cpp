#include "cli/show_command.h"

#include <iostream>

#include "cli/exchange_output.h"
#include "cli/exit_codes.h"
#include "query/curl_command.h"
#include "query/exchange_detail.h"
#include "query/query_database.h"

namespace trafficdb {
namespace {

struct ShowArgs {
  std::int64_t id = 0;
  bool json = false;
  bool curl = false;
  bool no_redact = false;
  bool pretty = false;
  std::size_t max_body = 16 * 1024;
};

}  // namespace

void add_show_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<ShowArgs>();
  CLI::App* cmd = app.add_subcommand("show", "Show one exchange in full (headers, bodies, timings)");
  cmd->footer("Secrets (Authorization, cookies, API keys, token-like query parameters) are masked unless\n"
              "--no-redact. Binary bodies are summarised (base64 in --json). --curl prints a curl command\n"
              "that repeats the request.");
  cmd->add_option("id", args->id, "Exchange id")->required()->check(CLI::PositiveNumber);
  cmd->add_flag("--json", args->json, "Print the exchange as JSON");
  cmd->add_flag("--curl", args->curl, "Print a curl command repeating the request");
  cmd->add_flag("--no-redact", args->no_redact, "Show secrets");
  cmd->add_flag("--pretty", args->pretty, "Pretty-print JSON bodies");
  cmd->add_option("--max-body", args->max_body, "Show at most this many bytes of each body")->capture_default_str();
  cmd->callback([&context, &exit_status, args] {
    auto db = open_query_database(context.db_path(), OpenMode::read_only);
    if (!db.is_ok()) {
      std::cerr << "trafficdb: " << db.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    if (args->curl) {
      auto loaded = load_exchange(**db, args->id, 0);
      if (!loaded.is_ok() || !loaded->has_value()) {
        std::cerr << "trafficdb: " << (loaded.is_ok() ? "no exchange " + std::to_string(args->id) : loaded.status().message()) << '\n';
        exit_status = exit_code::unusable;
        return;
      }
      std::cout << curl_command((*loaded)->exchange, !args->no_redact) << '\n';
      if (!args->no_redact) std::cerr << "trafficdb: secrets are masked; add --no-redact for a command that authenticates\n";
      exit_status = exit_code::ok;
      return;
    }
    DetailOptions options;
    options.redact = !args->no_redact;
    options.pretty_json = args->pretty;
    options.max_body_bytes = args->max_body;
    auto detail = exchange_detail_json(**db, args->id, options);
    if (!detail.is_ok() || !detail->has_value()) {
      std::cerr << "trafficdb: " << (detail.is_ok() ? "no exchange " + std::to_string(args->id) : detail.status().message()) << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    print_exchange_detail(std::cout, **detail, args->json);
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
