// What the commands share: building the filter and opening the database,
// each failure reported on stderr with the right exit status; timed log lines.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>

#include "cli/filter_options.h"
#include "store/database.h"

namespace trafficdb {

// The filter, or nullopt after saying what is wrong (exit status: usage).
std::optional<ExchangeFilter> build_filter_or_report(const FilterOptions& options, int& exit_status);

// The database with trafficdb's SQL functions, or nullptr after saying why
// (exit status: unusable). Even read-write, it must exist already: a
// mistyped --db should not quietly create an empty database.
std::unique_ptr<SQLite::Database> open_or_report(const std::string& path, OpenMode mode, int& exit_status);

// The address an HTTP server listens on.
struct ListenAddress {
  std::string host;  // without IPv6 brackets; "" in the text means 127.0.0.1
  int port = 0;      // 0: any free port
};

// "HOST:PORT" ("127.0.0.1:7411", "[::1]:0", ":8080"), or nullopt after
// saying what is wrong on stderr for `option` (exit status: usage).
std::optional<ListenAddress> parse_listen_address_or_report(const std::string& option, const std::string& text,
                                                            int& exit_status);

// "http://HOST:PORT" with IPv6 hosts in brackets.
std::string http_base_url(const ListenAddress& address);

// Runs `serve(should_stop)` (a server's loop) until SIGINT or SIGTERM
// arrives or it returns by itself; its failure is said on stderr. Returns
// the exit status (ok, or unusable after a failure).
int serve_until_signalled(const std::function<Status(const std::function<bool()>& should_stop)>& serve);

// "<local time> <who>: <line>" on stderr, one line per event: what
// long-running commands log. Under systemd, when stderr is the journal,
// "<who>: <line>" (the journal keeps the time).
void log_with_time(const std::string& who, const std::string& line);

}  // namespace trafficdb
