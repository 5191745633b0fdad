// RunningProcess: a child process a test owns (a peer server, the
// trafficdb CLI while it records): started with its output in files,
// watched for a line, signalled, and always ended by the destructor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

namespace trafficdb::test {

class RunningProcess {
 public:
  // Starts `argv` (argv[0] looked up in PATH) with this process's
  // environment, where the "NAME=value" entries of `env` replace (or add to)
  // those of the same name; stdout and stderr go to the two files, stdin is
  // /dev/null. Throws std::runtime_error when it cannot start.
  RunningProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env, std::string out_path,
                 std::string err_path);
  ~RunningProcess();  // stop() unless already ended
  RunningProcess(const RunningProcess&) = delete;
  RunningProcess& operator=(const RunningProcess&) = delete;

  std::string out() const;
  std::string err() const;

  // Waits until stdout (or stderr, with `in_stderr`) contains `text`. False
  // when `timeout` passes or the process ends first.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout, bool in_stderr = false);

  // Sends `signal`, then SIGKILL if it has not ended after `grace`; returns
  // the exit status (128 + the signal's number when a signal ended it).
  // Returns the status it ended with when it already had.
  int stop(int signal = SIGTERM, std::chrono::milliseconds grace = std::chrono::seconds(15));

  bool running();

 private:
  bool reap(bool wait);
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  bool ended_ = false;
  int status_ = -1;
};

}  // namespace trafficdb::test
