#include "recorder/waiting_source.h"

#include <algorithm>

namespace trafficdb {
namespace {

constexpr std::size_t kMaxReasons = 32;         // distinct reasons kept in source_waits_by_reason
constexpr std::size_t kMaxReasonBytes = 200;

std::string seconds_text(std::chrono::steady_clock::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

}  // namespace

WaitingSource::WaitingSource(std::unique_ptr<LiveSource> first, Factory factory, WaitingSourceOptions options)
    : factory_(std::move(factory)), options_(std::move(options)), next_(std::move(first)) {
  for (const SourceCount& c : next_->counts()) first_keys_.emplace_back(c.name, c.detail);
}

WaitingSource::~WaitingSource() { (void)stop(); }

void WaitingSource::say(const std::string& line) const {
  if (options_.log) options_.log(line);
}

Status WaitingSource::start() {
  {
    std::lock_guard lk(mu_);
    if (started_) return Status::ok();
    started_ = true;
  }
  (void)try_start(options_.first_backoff);
  thread_ = std::thread([this] { run(); });
  return Status::ok();
}

bool WaitingSource::try_start(std::chrono::milliseconds retry_in) {
  std::unique_ptr<LiveSource> source;
  {
    std::lock_guard lk(mu_);
    source = std::move(next_);
  }
  if (!source) {
    auto made = factory_();
    if (!made.is_ok()) {
      begin_wait(made.status().message(), retry_in);
      return false;
    }
    source = std::move(made).value();
  }
  if (Status started = source->start(); !started.is_ok()) {
    begin_wait(started.message(), retry_in);
    return false;
  }
  std::string back;
  {
    std::lock_guard lk(mu_);
    if (waiting_since_) {
      const auto waited = std::chrono::steady_clock::now() - *waiting_since_;
      waited_ += std::chrono::duration_cast<std::chrono::milliseconds>(waited);
      waiting_since_.reset();
      back = "the source is there after " + seconds_text(waited) + " of waiting: " + source->describe();
    }
    current_ = std::move(source);
  }
  if (!back.empty()) say(back);
  return true;
}

void WaitingSource::begin_wait(const std::string& why, std::chrono::milliseconds retry_in) {
  {
    std::lock_guard lk(mu_);
    if (!waiting_since_) {
      waiting_since_ = std::chrono::steady_clock::now();
      ++waits_;
      std::string reason = why.substr(0, kMaxReasonBytes);
      if (wait_reasons_.size() >= kMaxReasons && !wait_reasons_.count(reason)) reason = "(other reasons)";
      ++wait_reasons_[reason];
    }
    last_reason_ = why;
  }
  say("waiting for the source (--wait): " + why + "; trying again in " + seconds_text(retry_in));
}

void WaitingSource::retire_current() {
  std::shared_ptr<LiveSource> old;
  {
    std::lock_guard lk(mu_);
    old = current_;
    retiring_ = current_;
    current_.reset();
  }
  const std::string why = old->status().last_error;
  const Status failure = old->stop();  // stores what it still held
  const std::string reason = !failure.is_ok() ? failure.message() : !why.empty() ? why : "the source stopped";
  say("the source failed: " + reason + " (" + old->summary() + ")");
  {
    std::lock_guard lk(mu_);
    for (const SourceCount& c : old->counts()) earlier_[{c.name, c.detail}] += c.value;
    earlier_stored_ += old->status().stored;
    earlier_summary_ = old->summary();
    retiring_.reset();
  }
  begin_wait(reason, options_.first_backoff);
}

void WaitingSource::run() {
  auto backoff = options_.first_backoff;
  for (;;) {
    bool source_failed = false;
    {
      std::unique_lock lk(mu_);
      const auto pause = current_ ? options_.check_interval : backoff;
      if (wake_.wait_for(lk, pause, [&] { return stopping_; })) return;
      if (current_) {
        if (!current_->status().failed) continue;
        source_failed = true;
      }
    }
    if (source_failed) {
      retire_current();
      backoff = options_.first_backoff;
      continue;
    }
    const auto next_backoff = std::min(backoff * 2, options_.max_backoff);
    backoff = try_start(next_backoff) ? options_.first_backoff : next_backoff;
  }
}

Status WaitingSource::stop() {
  std::lock_guard stop_lk(stop_mu_);
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::shared_ptr<LiveSource> current;
  {
    std::lock_guard lk(mu_);
    current = current_;
    if (waiting_since_) {
      waited_ += std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                       *waiting_since_);
      waiting_since_.reset();
    }
  }
  return current ? current->stop() : Status::ok();
}

LiveSourceStatus WaitingSource::status() const {
  std::lock_guard lk(mu_);
  LiveSourceStatus s;
  s.stored = earlier_stored_;
  for (const auto* source : {&current_, &retiring_}) {
    if (*source) s.stored += (*source)->status().stored;
  }
  if (current_) s.last_error = current_->status().last_error;
  if (waiting_since_) s.last_error = "waiting for the source: " + last_reason_;
  return s;
}

std::vector<SourceCount> WaitingSource::counts() const {
  std::lock_guard lk(mu_);
  std::map<std::pair<std::string, std::string>, std::uint64_t> totals = earlier_;
  std::vector<std::pair<std::string, std::string>> order;  // the running source's order first
  for (const auto* source : {&current_, &retiring_}) {
    if (!*source) continue;
    for (const SourceCount& c : (*source)->counts()) {
      auto key = std::make_pair(c.name, c.detail);
      if (std::find(order.begin(), order.end(), key) == order.end()) order.push_back(key);
      totals[key] += c.value;
    }
  }
  for (const auto& [key, value] : totals) {
    if (std::find(order.begin(), order.end(), key) == order.end()) order.push_back(key);
  }
  for (const auto& key : first_keys_) {  // zeros while no source has run: a zero is an answer
    if (std::find(order.begin(), order.end(), key) == order.end()) order.push_back(key);
  }
  std::vector<SourceCount> out;
  for (const auto& key : order) out.emplace_back(key.first, totals[key], key.second);

  auto waited = waited_;
  if (waiting_since_) {
    waited += std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                    *waiting_since_);
  }
  out.emplace_back("source_waits", waits_);
  out.emplace_back("source_wait_ms", static_cast<std::uint64_t>(waited.count()));
  for (const auto& [reason, n] : wait_reasons_) out.emplace_back("source_waits_by_reason", n, reason);
  return out;
}

std::string WaitingSource::summary() const {
  std::lock_guard lk(mu_);
  std::string out = current_ ? current_->summary()
                    : earlier_summary_.empty() ? "the source was never reached"
                                               : earlier_summary_;
  if (!earlier_.empty()) out = "its last run: " + out;  // the integrity counts sum all runs
  if (waits_ > 0) {
    auto waited = waited_;
    if (waiting_since_) {
      waited += std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                      *waiting_since_);
    }
    out += "; waited for the source " + std::to_string(waits_) + (waits_ == 1 ? " time (" : " times (") +
           seconds_text(waited) + " in all; last: " + last_reason_ + ")";
  }
  return out;
}

std::string WaitingSource::describe() const {
  std::lock_guard lk(mu_);
  return current_ ? current_->describe() : "waiting for " + options_.describe_waiting;
}

}  // namespace trafficdb
