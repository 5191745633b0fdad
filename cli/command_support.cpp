#include "cli/command_support.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/stop_signals.h"
#include "common/timestamp.h"
#include "query/query_database.h"

namespace trafficdb {

std::optional<ExchangeFilter> build_filter_or_report(const FilterOptions& options, int& exit_status) {
  auto filter = options.build();
  if (filter.is_ok()) return std::move(filter).value();
  std::cerr << "trafficdb: " << filter.status().message() << '\n';
  exit_status = exit_code::usage;
  return std::nullopt;
}

std::unique_ptr<SQLite::Database> open_or_report(const std::string& path, OpenMode mode, int& exit_status) {
  if (!std::filesystem::exists(path)) {
    std::cerr << "trafficdb: " << path << ": no such database (import or record something first)\n";
    exit_status = exit_code::unusable;
    return nullptr;
  }
  auto db = open_query_database(path, mode);
  if (db.is_ok()) return std::move(db).value();
  std::cerr << "trafficdb: " << db.status().message() << '\n';
  exit_status = exit_code::unusable;
  return nullptr;
}

namespace {

// True when stderr is the systemd journal's stream (systemd names it in
// JOURNAL_STREAM as "device:inode"): the journal stamps each line itself.
bool stderr_is_journal() {
  static const bool is_journal = [] {
    const char* stream = std::getenv("JOURNAL_STREAM");
    unsigned long long device = 0, inode = 0;
    struct stat st{};
    return stream != nullptr && std::sscanf(stream, "%llu:%llu", &device, &inode) == 2 &&
           fstat(STDERR_FILENO, &st) == 0 && st.st_dev == device && st.st_ino == inode;
  }();
  return is_journal;
}

}  // namespace

void log_with_time(const std::string& who, const std::string& line) {
  if (stderr_is_journal()) {
    std::cerr << who << ": " << line << std::endl;
  } else {
    std::cerr << format_human_time(now_micros()) << ' ' << who << ": " << line << std::endl;
  }
}

std::optional<ListenAddress> parse_listen_address_or_report(const std::string& option, const std::string& text,
                                                            int& exit_status) {
  ListenAddress address;
  const std::size_t colon = text.rfind(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no port");
    address.host = text.substr(0, colon);
    if (address.host.empty()) address.host = "127.0.0.1";
    if (address.host.size() > 2 && address.host.front() == '[')
      address.host = address.host.substr(1, address.host.size() - 2);
    std::size_t used = 0;
    address.port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || address.port < 0 || address.port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    std::cerr << "trafficdb: " << option << " '" << text
              << "': give HOST:PORT, e.g. 127.0.0.1:7411 (port 0: any free one)\n";
    exit_status = exit_code::usage;
    return std::nullopt;
  }
  return address;
}

std::string http_base_url(const ListenAddress& address) {
  const bool ipv6 = address.host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

int serve_until_signalled(const std::function<Status(const std::function<bool()>& should_stop)>& serve) {
  StopSignals signals;  // before any thread starts
  std::atomic<bool> stop{false};
  std::thread waiter([&] {
    signals.wait(std::nullopt, [&] { return stop.load(); });
    stop = true;
  });
  const Status served = serve([&] { return stop.load(); });
  stop = true;
  waiter.join();
  if (!served.is_ok()) {
    std::cerr << "trafficdb: " << served.message() << '\n';
    return exit_code::unusable;
  }
  return exit_code::ok;
}

}  // namespace trafficdb
