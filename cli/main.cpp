// trafficdb: records HTTP traffic into SQLite and answers questions about it.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/cli_context.h"
#include "cli/delete_command.h"
#include "cli/diff_command.h"
#include "cli/exit_codes.h"
#include "cli/export_command.h"
#include "cli/import_command.h"
#include "cli/index_command.h"
#include "cli/mcp_command.h"
#include "cli/prune_command.h"
#include "cli/ui_command.h"
#include "cli/query_command.h"
#include "cli/read_command.h"
#include "cli/replay_command.h"
#include "cli/show_command.h"
#include "cli/stats_command.h"
#include "cli/record_command.h"
#include "cli/retention_command.h"
#include "cli/sessions_command.h"
#include "cli/sql_command.h"

int main(int argc, char** argv) {
  using namespace trafficdb;
  CLI::App app{"trafficdb: records HTTP traffic into one SQLite file and answers questions about it."};
  app.footer(
      "The database is --db PATH, else $TRAFFICDB, else ./traffic.db. It is a plain SQLite file:\n"
      "the sqlite3 shell can read it while trafficdb writes (schema in docs/schema.md).\n"
      "Run 'trafficdb COMMAND --help' for a command's options.");
  app.set_version_flag("--version", "trafficdb " TRAFFICDB_VERSION);
  app.require_subcommand(1);

  CliContext context;
  int exit_status = exit_code::ok;
  app.add_option("--db", context.db_option, "Database file (default: $TRAFFICDB or ./traffic.db)");
  add_import_command(app, context, exit_status);
  add_record_command(app, context, exit_status);
  add_sessions_command(app, context, exit_status);
  add_query_command(app, context, exit_status);
  add_show_command(app, context, exit_status);
  add_diff_command(app, context, exit_status);
  add_replay_command(app, context, exit_status);
  add_stats_command(app, context, exit_status);
  add_read_command(app, context, exit_status);
  add_export_command(app, context, exit_status);
  add_index_command(app, context, exit_status);
  add_retention_command(app, context, exit_status);
  add_prune_command(app, context, exit_status);
  add_delete_command(app, context, exit_status);
  add_sql_command(app, context, exit_status);
  add_mcp_command(app, context, exit_status);
  add_ui_command(app, context, exit_status);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_code::usage;
  } catch (const std::exception& e) {  // a library's, at the edge: say it rather than abort
    std::cerr << "trafficdb: " << e.what() << '\n';
    return exit_code::unusable;
  }
  return exit_status;
}
