#include "cli/delete_command.h"

#include <iostream>

#include <SQLiteCpp/Statement.h>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "common/byte_size.h"
#include "ingest/session_removal.h"
#include "store/pruning.h"

namespace trafficdb {
namespace {

struct DeleteArgs {
  std::vector<std::int64_t> sessions;
};

std::int64_t exchange_count_of(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement st(db, "SELECT exchange_count FROM sessions WHERE id = ?");
  st.bind(1, static_cast<std::int64_t>(id));
  return st.executeStep() ? st.getColumn(0).getInt64() : 0;
}

}  // namespace

void add_delete_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<DeleteArgs>();
  CLI::App* cmd = app.add_subcommand("delete", "Delete sessions with their exchanges");
  cmd->footer(
      "Removes each session with its exchanges, their WebSocket messages and search-index rows, and\n"
      "the bodies no other exchange uses, in small steps (recorders on the same file go on), then\n"
      "gives the space back. A session still being recorded is refused: stop its recording first.\n"
      "Session ids are never given again, so a consumer's cursor never follows a new session.\n\n"
      "Example: trafficdb delete 3 4");
  cmd->add_option("SESSION", args->sessions, "Session ids (see trafficdb sessions)")->required()->check(CLI::PositiveNumber);
  cmd->callback([&context, &exit_status, args] {
    auto db = open_or_report(context.db_path(), OpenMode::read_write, exit_status);
    if (!db) return;
    exit_status = exit_code::ok;
    for (std::int64_t id : args->sessions) {
      std::int64_t exchanges = 0;
      try {
        exchanges = exchange_count_of(*db, id);
      } catch (const SQLite::Exception& e) {
        std::cerr << "trafficdb: " << e.what() << '\n';
        exit_status = exit_code::unusable;
        return;
      }
      if (Status s = remove_session(*db, id); !s.is_ok()) {
        std::cerr << "trafficdb: " << s.message() << '\n';
        exit_status = s.is(Status::Code::not_found) ? exit_code::usage : exit_code::unusable;
        continue;
      }
      std::cout << "deleted session " << id << " (" << exchanges << " exchanges)\n";
    }
    auto vacuum = vacuum_free_pages(*db);
    if (!vacuum.is_ok()) {
      std::cerr << "trafficdb: " << vacuum.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    std::cout << "gave back " << format_byte_size(static_cast<std::uint64_t>(vacuum->bytes_given_back))
              << " to the file system\n";
    if (vacuum->vacuum_unavailable)
      std::cout << "the file keeps its free pages (later writes reuse them): it predates incremental vacuum; "
                   "'trafficdb prune --vacuum' converts it once\n";
  });
}

}  // namespace trafficdb
