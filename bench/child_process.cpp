// Child processes measured with fork/exec and wait4; see child_process.h.

#include "child_process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace bench {
namespace {

double timeval_seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

int open_or_throw(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  return fd;
}

// Reads `fd` to end of file into `on_output`.
void drain(int fd, const std::function<void(std::string_view)>& on_output) {
  std::vector<char> buf(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("reading a child's output: ") + std::strerror(errno));
    if (n == 0) return;
    on_output(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
}

// stdout goes to `log_path` too, or, given `on_output`, into a pipe read by it.
ChildRun run(const std::vector<std::string>& args, const std::string& log_path,
             const std::function<void(std::string_view)>* on_output) {
  if (args.empty()) throw std::invalid_argument("run_child: no program");
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string exec_failed = "cannot run " + args[0] + "\n";  // written by the child, so built here
  const Fd log_fd(open_or_throw(log_path, O_WRONLY | O_CREAT | O_TRUNC));
  const Fd null_fd(open_or_throw("/dev/null", O_RDONLY));
  int pipe_fds[2] = {-1, -1};
  if (on_output && ::pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  Fd pipe_read(pipe_fds[0]), pipe_write(pipe_fds[1]);
  const int stdout_fd = on_output ? pipe_write.get() : log_fd.get();

  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {  // child: async-signal-safe calls only
    if (::dup2(null_fd.get(), 0) < 0 || ::dup2(stdout_fd, 1) < 0 || ::dup2(log_fd.get(), 2) < 0) ::_exit(126);
    ::execvp(argv[0], argv.data());
    [[maybe_unused]] const ssize_t w = ::write(2, exec_failed.data(), exec_failed.size());
    ::_exit(127);
  }
  pipe_write.reset();  // so the pipe reaches end of file when the child exits
  ChildRun r;
  std::string read_error;
  if (on_output) {
    try {
      drain(pipe_read.get(), *on_output);
    } catch (const std::exception& e) {
      read_error = e.what();  // still reap the child first
    }
    pipe_read.reset();
  }
  int status = 0;
  rusage usage{};
  pid_t waited;
  do {
    waited = ::wait4(pid, &status, 0, &usage);
  } while (waited < 0 && errno == EINTR);
  const auto t1 = std::chrono::steady_clock::now();
  if (waited < 0) throw std::runtime_error(std::string("wait4: ") + std::strerror(errno));
  if (!read_error.empty()) throw std::runtime_error(read_error);

  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  if (WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    r.signal = WTERMSIG(status);
  r.user_seconds = timeval_seconds(usage.ru_utime);
  r.sys_seconds = timeval_seconds(usage.ru_stime);
  r.peak_rss_mb = static_cast<double>(usage.ru_maxrss) * 1024.0 / 1e6;  // ru_maxrss is in KiB on Linux
  return r;
}

}  // namespace

ChildRun run_child(const std::vector<std::string>& args, const std::string& log_path) {
  return run(args, log_path, nullptr);
}

ChildRun run_child_reading_stdout(const std::vector<std::string>& args, const std::string& log_path,
                                  const std::function<void(std::string_view)>& on_output) {
  return run(args, log_path, &on_output);
}

std::string describe(const ChildRun& r) {
  return r.signal ? "killed by signal " + std::to_string(r.signal) : "exit status " + std::to_string(r.exit_code);
}

std::string read_text(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string text(limit, '\0');
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

void show_log(const std::string& who, const std::string& log_path) {
  const std::string text = read_text(log_path, 8000);
  if (text.empty()) return;
  std::cerr << "--- " << who << " output:\n" << text << (text.back() == '\n' ? "" : "\n") << "---\n";
}

}  // namespace bench
