#include "cli/index_command.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "store/database.h"
#include "store/search_index.h"
#include "store/search_index_merge.h"

namespace trafficdb {

void add_index_command(CLI::App& app, const CliContext& context, int& exit_status) {
  CLI::App* cmd = app.add_subcommand("index", "Bring the full-text search indexes (bodies, URLs) up to date");
  cmd->footer("Recorders index new rows while they are idle; a large import leaves most of its rows to\n"
              "this command. Searches (--body-contains, --url-contains) are correct either way: rows not yet\n"
              "indexed are scanned, which is slow on millions of rows.");
  cmd->callback([&context, &exit_status] {
    auto db = open_or_report(context.db_path(), OpenMode::read_write, exit_status);
    if (!db) return;
    const auto behind = [&] {
      return db->execAndGet("SELECT (SELECT count(*) FROM bodies WHERE id > (SELECT position FROM search_state "
                               "WHERE name = 'bodies_fts')) + (SELECT count(*) FROM exchanges WHERE id > (SELECT "
                               "position FROM search_state WHERE name = 'urls_fts'))")
          .getInt64();
    };
    const std::int64_t total = behind();
    ProgressLine progress("indexing", static_cast<std::uint64_t>(total), 1);
    bool remaining = total > 0;
    bool said_waiting = false;
    while (remaining || behind() > 0) {
      if (!remaining) {
        // What is left belongs to an index a pruner is merging whole
        // (store/search_index_merge.h): it takes rows again once the merge
        // is done, or its mark lapses if the pruner died.
        if (!said_waiting) {
          progress.finish();
          std::cerr << "trafficdb: waiting for a pruner to finish merging a search index" << std::endl;
          said_waiting = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      if (Status s = index_search_batch(*db, 20000, remaining); !s.is_ok()) {
        std::cerr << "trafficdb: " << s.message() << '\n';
        exit_status = exit_code::unusable;
        return;
      }
      progress.update(static_cast<std::uint64_t>(std::max<std::int64_t>(0, total - behind())), 0);
    }
    progress.finish();
    // Indexing added a segment per batch; searches read every segment.
    try {
      SegmentMerger(*db).run_to_end();
    } catch (const SQLite::Exception& e) {
      std::cerr << "trafficdb: search index merge failed: " << e.what() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    std::cout << "search indexes up to date (" << total << " rows indexed)\n";
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
