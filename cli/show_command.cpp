#include "cli/show_command.h"

#include <iostream>

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

void print_message(std::ostream& out, const nlohmann::json& message) {
  for (const auto& h : message["headers"]) out << h[0].get<std::string>() << ": " << h[1].get<std::string>() << '\n';
  const auto& body = message["body"];
  const std::string kind = body["kind"];
  if (kind == "text") {
    out << '\n' << body["text"].get<std::string>() << '\n';
  } else if (kind == "binary") {
    out << "\n[binary body, " << body.value("size", 0) << " bytes; base64 with --json]\n";
  } else if (kind == "not_captured") {
    out << "\n[body not captured" << (body.contains("size") ? ", " + std::to_string(body["size"].get<std::int64_t>()) + " bytes" : "") << "]\n";
  }
  if (body.value("truncated", false)) out << "[cut at --max-body; the full body is in the database]\n";
  if (body.value("stored_partially", false)) out << "[the store kept only part of this body]\n";
}

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
    const nlohmann::json& j = **detail;
    if (args->json) {
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
      std::cout << "#" << j["id"] << " (session " << j["session_id"] << ")  " << j["timings"]["started_at"].dump()
                << "  " << j["timings"]["duration_ms"].dump() << " ms\n";
      if (j.contains("error")) std::cout << "error: " << j["error"].get<std::string>() << '\n';
      std::cout << "\n" << j["method"].get<std::string>() << " " << j["url"].get<std::string>() << " "
                << j["http_version"].get<std::string>() << '\n';
      print_message(std::cout, j["request"]);
      if (!j["response"].is_null()) {
        std::cout << "\n" << j["response"]["status"] << " " << j["response"]["status_text"].get<std::string>() << '\n';
        print_message(std::cout, j["response"]);
      }
      if (j.contains("websocket"))
        std::cout << "\n[" << j["websocket"]["message_count"] << " WebSocket messages; see --json]\n";
    }
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
