// Helpers the tests share: temporary directories, files, running the
// trafficdb binary, and the shared sample captures.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <mutex>

#include "model/exchange_sink.h"

namespace trafficdb::test {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A tmpfs of `bytes` mounted on a new directory (a disk that fills up);
// unmounted when done. Mounting needs root: mounted() says whether it worked.
class SmallFilesystem {
 public:
  explicit SmallFilesystem(std::size_t bytes);
  ~SmallFilesystem();
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;
  bool mounted() const { return mounted_; }
  std::string file(const std::string& name) const { return dir_.file(name); }

 private:
  TempDir dir_;
  bool mounted_ = false;
};

void write_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Starts `argv` (argv[0] is looked up in PATH) with extra environment entries
// ("NAME=value"), stdin from /dev/null and stdout and stderr written to the
// given files, and returns its pid without waiting. Throws std::runtime_error
// when it cannot start.
pid_t start_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& out_path, const std::string& err_path);

// Runs `argv` like start_process, waits for it and returns what it printed.
CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// Runs the trafficdb binary built with the tests.
CommandResult run_trafficdb(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

// ../shared/samples beside the checkout, or "" when it is absent.
std::string shared_samples_dir();

// Ends the current test as skipped, saying why: exits with 77 under ctest
// (shown as skipped); otherwise warns and returns, and the test returns early.
void skip_test(const std::string& why);

// Ends the current test as skipped (skip_test) when the shared samples are
// absent, and returns "". Returns the directory otherwise.
std::string require_shared_samples();

// A sink that keeps what it is given (thread-safe), for source tests.
class CollectingSink : public ExchangeSink {
 public:
  Status consume(Exchange&& e) override {
    std::lock_guard lk(mu_);
    exchanges.push_back(std::move(e));
    return Status::ok();
  }
  std::vector<Exchange> snapshot() {
    std::lock_guard lk(mu_);
    return exchanges;
  }
  std::vector<Exchange> exchanges;

 private:
  std::mutex mu_;
};

// `input` gzip-compressed (as a server would send it).
std::string gzip(const std::string& input);

// A plausible exchange for store tests.
Exchange make_exchange(int n, const std::string& response_body = "{\"ok\":true}");

}  // namespace trafficdb::test
