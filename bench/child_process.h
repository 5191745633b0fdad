// Runs a program as a child process the way a user would (fork/exec, stdin
// from /dev/null) and measures it: wall time from fork to wait4, CPU time and
// peak RSS from the rusage wait4 returns. The benchmarks time trafficdb and
// their yardsticks (python, tshark) with it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct ChildRun {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  double seconds = 0;  // wall, fork to wait4
  double user_seconds = 0;
  double sys_seconds = 0;
  double peak_rss_mb = 0;  // ru_maxrss, MB = 10^6 bytes
};

// Runs args[0] (looked up in PATH) with stdout and stderr into `log_path`
// (truncated first). Exit status 127 means it could not be started.
ChildRun run_child(const std::vector<std::string>& args, const std::string& log_path);

// Likewise, but reads the child's stdout through a pipe as it is written and
// hands each piece to `on_output` (pieces split lines anywhere); stderr goes
// into `log_path`. The time includes reading, as a pipeline's would.
ChildRun run_child_reading_stdout(const std::vector<std::string>& args, const std::string& log_path,
                                  const std::function<void(std::string_view)>& on_output);

// The measurements of several runs of one program, for medians.
struct Series {
  std::vector<double> seconds, rss, user, sys;
  void add(const ChildRun& r) {
    seconds.push_back(r.seconds);
    rss.push_back(r.peak_rss_mb);
    user.push_back(r.user_seconds);
    sys.push_back(r.sys_seconds);
  }
};

// "exit status N" or "killed by signal N".
std::string describe(const ChildRun& r);

// At most `limit` bytes from the start of `path` ("" if it cannot be read).
std::string read_text(const std::string& path, std::size_t limit);

// Prints what a child wrote into `log_path` to stderr, under `who`, if anything.
void show_log(const std::string& who, const std::string& log_path);

}  // namespace bench
