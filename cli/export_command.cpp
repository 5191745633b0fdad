#include "cli/export_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "cli/filter_options.h"
#include "query/har_export.h"

namespace trafficdb {
namespace {

struct ExportArgs {
  FilterOptions filters;
  std::string out;
  bool no_redact = false;
  bool force = false;
};

}  // namespace

void add_export_command(CLI::App& app, const CliContext& context, int& exit_status) {
  CLI::App* exp = app.add_subcommand("export", "Export exchanges to a file");
  exp->require_subcommand(1);
  auto args = std::make_shared<ExportArgs>();
  CLI::App* har = exp->add_subcommand("har", "Write the exchanges matching the filters as HAR 1.2");
  har->footer("The file opens in browser devtools and re-imports with 'trafficdb import'. Bodies are included\n"
              "(text as text, other bytes as base64). Secrets are masked unless --no-redact.\n\n"
              "Example: trafficdb export har --out errors.har --status 5xx --since 1h");
  args->filters.add_to(*har);
  har->add_option("--out", args->out, "Output file ('-' for standard output)")->required();
  har->add_flag("--no-redact", args->no_redact, "Keep secrets (Authorization, cookies, tokens)");
  har->add_flag("--force", args->force, "Overwrite an existing file");
  har->callback([&context, &exit_status, args] {
    const auto filter = build_filter_or_report(args->filters, exit_status);
    if (!filter) return;
    if (args->out != "-" && std::filesystem::is_directory(args->out)) {
      std::cerr << "trafficdb: " << args->out << " is a directory; give a file name\n";
      exit_status = exit_code::usage;
      return;
    }
    if (args->out != "-" && std::filesystem::exists(args->out) && !args->force) {
      std::cerr << "trafficdb: " << args->out << " exists; give --force to overwrite it\n";
      exit_status = exit_code::usage;
      return;
    }
    const auto db = open_or_report(context.db_path(), OpenMode::read_only, exit_status);
    if (!db) return;
    HarExportOptions options;
    options.redact = !args->no_redact;
    Result<std::size_t> written = std::size_t{0};
    if (args->out == "-") {
      written = export_har(*db, *filter, std::cout, options);
    } else {
      // Written beside the target and renamed, so a failed export leaves no half file.
      const std::string partial = args->out + ".partial";
      {
        std::ofstream file(partial, std::ios::binary | std::ios::trunc);
        if (!file) {
          std::cerr << "trafficdb: cannot write " << partial << '\n';
          exit_status = exit_code::unusable;
          return;
        }
        written = export_har(*db, *filter, file, options);
      }
      if (written.is_ok()) std::filesystem::rename(partial, args->out);
      else std::remove(partial.c_str());
    }
    if (!written.is_ok()) {
      std::cerr << "trafficdb: " << written.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    if (args->out != "-") std::cerr << "trafficdb: wrote " << *written << " exchanges to " << args->out << '\n';
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
