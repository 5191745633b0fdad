#include "tests/loopback_capture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/test_support.h"

namespace trafficdb::test {

namespace {

using namespace std::chrono_literals;

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace

std::string loopback_capture_unavailable() {
  if (geteuid() != 0) return "capturing on lo needs root";
  for (const char* program : {"tcpdump", "curl"})
    if (!on_path(program)) return std::string(program) + " is not installed";
  return "";
}

LoopbackCapture::LoopbackCapture(const std::string& pcap_path, int port) : err_path_(pcap_path + ".tcpdump-stderr") {
  // --immediate-mode: packets reach tcpdump at once, not when a kernel
  // buffer block fills, so stop() loses none; -B: room for bursts of
  // several MiB (TLS and HTTP/2 transfers at loopback speed);
  // -Z root: tcpdump would otherwise switch to a user that cannot write here.
  pid_ = start_process({"tcpdump", "-i", "lo", "-U", "--immediate-mode", "-B", "131072", "-s", "0", "-Z", "root", "-w",
                        pcap_path, "tcp port " + std::to_string(port)},
                       {}, "/dev/null", err_path_);
  for (auto waited = 0ms; waited < 10s; waited += 10ms) {
    if (read_file(err_path_).find("listening on lo") != std::string::npos) return;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("tcpdump exited before listening: " + read_file(err_path_));
    }
    std::this_thread::sleep_for(10ms);
  }
  kill_tcpdump();
  throw std::runtime_error("tcpdump did not start listening within 10 s: " + read_file(err_path_));
}

LoopbackCapture::~LoopbackCapture() { kill_tcpdump(); }

void LoopbackCapture::kill_tcpdump() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void LoopbackCapture::stop() {
  std::this_thread::sleep_for(200ms);
  kill(pid_, SIGINT);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  const std::string messages = read_file(err_path_);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("tcpdump failed: " + messages);
  if (messages.find("\n0 packets dropped by kernel") == std::string::npos)
    throw std::runtime_error("tcpdump lost packets: " + messages);
}

}  // namespace trafficdb::test
