#include "cli/sql_command.h"

#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/table_printer.h"
#include "common/utf8.h"
#include "query/readonly_sql.h"
#include "common/base64.h"
#include "query/query_database.h"

namespace trafficdb {
namespace {

struct SqlArgs {
  std::string sql;
  bool json = false;
  bool wide = false;
  std::size_t max_rows = 1000;
  double timeout_seconds = 10;
};

std::string cell_text(const SqlValue& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.15g", d);
      return buf;
    }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const SqlBlob& b) const {
      if (looks_like_text(b.bytes)) return b.bytes;
      return "<" + std::to_string(b.bytes.size()) + " bytes binary>";
    }
  };
  return std::visit(Visitor{}, v);
}

nlohmann::json cell_json(const SqlValue& v) {
  struct Visitor {
    nlohmann::json operator()(std::monostate) const { return nullptr; }
    nlohmann::json operator()(std::int64_t i) const { return i; }
    nlohmann::json operator()(double d) const { return d; }
    nlohmann::json operator()(const std::string& s) const { return s; }
    nlohmann::json operator()(const SqlBlob& b) const {
      if (looks_like_text(b.bytes)) return b.bytes;
      return nlohmann::json{{"base64", base64_encode(b.bytes)}};
    }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace

void add_sql_command(CLI::App& app, const CliContext& context, int& exit_status) {
  auto args = std::make_shared<SqlArgs>();
  CLI::App* cmd = app.add_subcommand("sql", "Run one read-only SQL statement and print the rows");
  cmd->footer(
      "The database is opened read-only and only reading is allowed: SELECT (CTEs, joins, SQLite's\n"
      "JSON functions) and introspection pragmas. Writes, ATTACH and pragma changes are refused.\n"
      "Tables: sessions, exchanges, bodies, cursors; views: exchanges_view, sessions_view.\n"
      "Times are integer microseconds since the epoch (see docs/schema.md).\n\n"
      "Examples:\n"
      "  trafficdb sql \"SELECT host, count(*) FROM exchanges GROUP BY host ORDER BY 2 DESC\"\n"
      "  trafficdb sql \"SELECT id, url, status FROM exchanges WHERE status >= 500\" --json");
  cmd->add_option("sql", args->sql, "The SQL statement")->required();
  cmd->add_flag("--json", args->json, "Print a JSON array of row objects");
  cmd->add_flag("--wide", args->wide, "Do not cut long cells in the table");
  cmd->add_option("--max-rows", args->max_rows, "Stop after this many rows (said when hit)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout_seconds, "Stop the query after this many seconds")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
  cmd->callback([&context, &exit_status, args] {
    auto db = open_query_database(context.db_path(), OpenMode::read_only);
    if (!db.is_ok()) {
      std::cerr << "trafficdb: " << db.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    if (!std::isfinite(args->timeout_seconds)) {
      std::cerr << "trafficdb: --timeout must be a number of seconds\n";
      exit_status = exit_code::usage;
      return;
    }
    SqlLimits limits;
    limits.max_rows = args->max_rows;
    limits.time_limit = std::chrono::milliseconds(static_cast<long long>(args->timeout_seconds * 1000));
    auto result = run_readonly_sql(**db, args->sql, limits);
    if (!result.is_ok()) {
      std::cerr << "trafficdb: " << result.status().message() << '\n';
      exit_status = exit_code::unusable;
      return;
    }
    if (args->json) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& row : result->rows) {
        nlohmann::json obj = nlohmann::json::object();
        for (std::size_t c = 0; c < row.size(); ++c) obj[result->columns[c]] = cell_json(row[c]);
        rows.push_back(std::move(obj));
      }
      std::cout << rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& row : result->rows) {
        std::vector<std::string> cells;
        for (const SqlValue& v : row) cells.push_back(cell_text(v));
        rows.push_back(std::move(cells));
      }
      print_table(std::cout, result->columns, rows, args->wide ? 0 : 60);
      std::cout << "(" << result->rows.size() << (result->rows.size() == 1 ? " row" : " rows") << ")\n";
    }
    if (result->byte_limit_hit)
      std::cerr << "trafficdb: stopped at " << (limits.max_bytes >> 20)
                << " MiB of results; select fewer or smaller columns\n";
    if (result->row_limit_hit)
      std::cerr << "trafficdb: stopped at " << args->max_rows
                << " rows (--max-rows); add LIMIT/OFFSET or raise --max-rows for more\n";
    exit_status = exit_code::ok;
  });
}

}  // namespace trafficdb
