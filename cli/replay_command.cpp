#include "cli/replay_command.h"

#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/exchange_output.h"
#include "cli/exit_codes.h"
#include "ingest/replay_exchange.h"
#include "query/exchange_detail.h"
#include "query/exchange_loader.h"
#include "query/query_database.h"

namespace trafficdb {
namespace {

constexpr std::uintmax_t kMaxBodyFileBytes = 64u << 20;

struct ReplayArgs {
  std::int64_t id = 0;
  std::string method, url, body, body_file;
  std::vector<std::string> set_headers, remove_headers, allow_hosts;
  bool confirm = false, insecure = false, json = false, no_redact = false;
  int timeout_s = 30;
  std::size_t max_body = 16 * 1024;
};

Result<std::string> read_body_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_input("--body-file " + path + ": cannot open it");
  std::string data;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    data.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (data.size() > kMaxBodyFileBytes)
      return Status::invalid_input("--body-file " + path + ": larger than " + std::to_string(kMaxBodyFileBytes >> 20) +
                                   " MiB");
  }
  return data;
}

Result<ReplayChanges> changes_from(const ReplayArgs& args) {
  ReplayChanges changes;
  if (!args.method.empty()) changes.method = args.method;
  if (!args.url.empty()) changes.url = args.url;
  for (const std::string& line : args.set_headers) {
    auto header = parse_header_line(line);
    if (!header.is_ok()) return header.status().prefixed("--set-header: ");
    changes.set_headers.push_back(*header);
  }
  changes.remove_headers = args.remove_headers;
  if (!args.body_file.empty()) {
    auto body = read_body_file(args.body_file);
    if (!body.is_ok()) return body.status();
    changes.body = std::move(body).value();
  } else if (!args.body.empty()) {
    changes.body = args.body;
  }
  return changes;
}

int run_replay(const CliContext& context, const ReplayArgs& args) {
  auto fail = [](const Status& s, int code) {
    std::cerr << "trafficdb: " << s.message() << '\n';
    return code;
  };
  auto changes = changes_from(args);
  if (!changes.is_ok()) return fail(changes.status(), exit_code::usage);
  std::optional<StoredExchange> original;
  {
    auto db = open_query_database(context.db_path(), OpenMode::read_only);
    if (!db.is_ok()) return fail(db.status(), exit_code::unusable);
    auto loaded = load_exchange(**db, args.id, 0);
    if (!loaded.is_ok()) return fail(loaded.status(), exit_code::unusable);
    if (!*loaded) return fail(Status::not_found("no exchange " + std::to_string(args.id)), exit_code::unusable);
    original = std::move(loaded).value();
  }
  ReplayOptions options;
  options.changes = std::move(changes).value();
  options.policy.allowed_hosts = args.allow_hosts;
  options.policy.confirmed = args.confirm;
  options.send.timeout = std::chrono::seconds(args.timeout_s);
  options.send.verify_tls = !args.insecure;
  options.confirm_hint = "--confirm";
  options.allow_hint = "--allow-host HOST";
  auto outcome = replay_exchange(context.db_path(), args.id, original->exchange, options);
  if (!outcome.is_ok())
    return fail(outcome.status(), outcome.status().code() == Status::Code::invalid_input ? exit_code::usage
                                                                                          : exit_code::unusable);
  auto db = open_query_database(context.db_path(), OpenMode::read_only);
  if (!db.is_ok()) return fail(db.status(), exit_code::unusable);
  DetailOptions detail_options;
  detail_options.redact = !args.no_redact;
  detail_options.max_body_bytes = args.max_body;
  auto detail = exchange_detail_json(**db, outcome->exchange_id, detail_options);
  if (!detail.is_ok()) return fail(detail.status(), exit_code::unusable);
  if (!*detail) return fail(Status::not_found("the replay's exchange is gone"), exit_code::unusable);
  if (!args.json) std::cout << "replay of #" << args.id << ":\n";
  print_exchange_detail(std::cout, **detail, args.json);
  return outcome->error.empty() ? exit_code::ok : exit_code::stored_with_errors;
}

}  // namespace

void add_replay_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand("replay", "Send a stored exchange's request again and store what comes back");
  cmd->footer(
      "Sends the stored request (method, URL, headers, body) again, with the changes given, over\n"
      "HTTP/1.1, and stores the outcome as a new exchange in a new session of source 'replay' whose\n"
      "details say which exchange it replays. Prints it like 'trafficdb show' (secrets masked unless\n"
      "--no-redact); exit status 3 when no whole response came (the stored exchange says why).\n\n"
      "Safe by default: only to the original's scheme, host and port (others with --allow-host);\n"
      "methods other than GET, HEAD and OPTIONS need --confirm; TLS certificates are verified\n"
      "(--insecure skips that); no redirects followed; --timeout bounds connecting, each wait and\n"
      "the whole body; response bodies are kept up to the store's 32 MiB cap.\n\n"
      "Example: trafficdb replay 42 --set-header 'Accept: application/json' --remove-header Cookie");
  cmd->add_option("id", args->id, "Id of the exchange to replay")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--method", args->method, "Send this method instead");
  cmd->add_option("--url", args->url, "Send to this absolute http(s) URL instead");
  cmd->add_option("--set-header", args->set_headers,
                  "'Name: value': replaces every header of that name, or adds it (repeatable)");
  cmd->add_option("--remove-header", args->remove_headers, "Leave this header out (repeatable)");
  auto* body = cmd->add_option("--body", args->body, "Send this text as the body instead");
  cmd->add_option("--body-file", args->body_file, "Send this file's bytes as the body instead")->excludes(body);
  cmd->add_flag("--confirm", args->confirm, "Allow a method other than GET, HEAD or OPTIONS");
  cmd->add_option("--allow-host", args->allow_hosts,
                  "Also allow sending to this host: exact, *.example.com, or * for any (repeatable)");
  cmd->add_flag("--insecure", args->insecure, "Do not verify the server's TLS certificate");
  cmd->add_option("--timeout", args->timeout_s, "Seconds to wait (connecting, each wait, the whole body)")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the new exchange as JSON");
  cmd->add_flag("--no-redact", args->no_redact, "Show secrets");
  cmd->add_option("--max-body", args->max_body, "Show at most this many bytes of each body")->capture_default_str();
  cmd->callback([&context, &exit_status, args] { exit_status = run_replay(context, *args); });
}

}  // namespace trafficdb
