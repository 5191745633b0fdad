#include "tests/running_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "tests/test_support.h"

extern char** environ;

namespace trafficdb::test {

namespace {

// This process's environment with `overrides` ("NAME=value") in place of
// the entries of the same name.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const bool replaced = std::any_of(overrides.begin(), overrides.end(),
                                      [&](const std::string& o) { return name_of(o) == name_of(entry); });
    if (!replaced) out.push_back(entry);
  }
  out.insert(out.end(), overrides.begin(), overrides.end());
  return out;
}

}  // namespace

RunningProcess::RunningProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                               std::string out_path, std::string err_path)
    : out_path_(std::move(out_path)), err_path_(std::move(err_path)) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> environment = environment_with(env);
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
}

RunningProcess::~RunningProcess() {
  if (!ended_) stop(SIGTERM, std::chrono::seconds(5));
}

std::string RunningProcess::out() const { return read_file(out_path_); }
std::string RunningProcess::err() const { return read_file(err_path_); }

bool RunningProcess::reap(bool wait) {
  if (ended_) return true;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, wait ? 0 : WNOHANG);
  if (r != pid_) return false;
  ended_ = true;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool RunningProcess::running() { return !reap(false); }

bool RunningProcess::wait_for_output(const std::string& text, std::chrono::milliseconds timeout, bool in_stderr) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if ((in_stderr ? err() : out()).find(text) != std::string::npos) return true;
    if (!running() || std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int RunningProcess::stop(int signal, std::chrono::milliseconds grace) {
  if (reap(false)) return status_;
  kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!reap(false)) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      reap(true);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

}  // namespace trafficdb::test
