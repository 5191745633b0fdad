// How the benchmarks print what they measured.
//
// Each benchmark prints human lines first: figures with fixed decimals,
// medians over rounds, and the comparison with the peer it runs next to
// (a yardstick such as python or tshark, or a baseline such as raw SQLite):
// rounds alternate which of the two goes first, and a ratio is the median
// of the per-round ratios, peer over trafficdb. Every run then ends the same
// way (Report::finish):
//
//   reproduce: ./build/bench/writer_bench --count 20000 --body-bytes 600 ...
//   {"bench":"writer","count":20000,...}
//
// the command that repeats the run with every option spelled out
// (bench_args.h), and one JSON line for scripts, always last. Sizes are in
// MB = 10^6 bytes; times in seconds unless a name says "_ms".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "child_process.h"

namespace bench {

class Args;

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start);

// "3.14" for fixed(3.14159, 2).
std::string fixed(double v, int decimals);

// 0 for no values.
double median(std::vector<double> v);

// Nearest-rank percentile, p in [0, 1]: with fewer than 100 values p99 is
// the maximum. 0 for no values.
double percentile(std::vector<double> v, double p);

// " (medians of 3)" after figures that are medians of `repeat` rounds
// (`what` names them: "medians", "median"); "" for a single round.
std::string over_rounds(std::uint64_t repeat, std::string_view what = "medians");

// ---------------------------------------------------------------- rounds

// One round of a benchmark that runs its program and the peer one after the
// other. Odd rounds (the 2nd, 4th, ...) run the peer first, so that neither
// always finds the caches the other left.
struct Round {
  std::uint64_t number = 1;  // 1-based
  std::uint64_t of = 1;
  bool peer_first = false;

  std::string prefix() const;                         // "round 2/3: "
  std::string first_note(std::string_view peer) const;  // " (python first)" when it was
};

// Runs `repeat` rounds: `ours`, and `peer` when `with_peer`, in the round's
// order, then `after` (e.g. to print the round's line when repeat > 1).
void run_rounds(std::uint64_t repeat, bool with_peer, const std::function<void(const Round&)>& ours,
                const std::function<void(const Round&)>& peer, const std::function<void(const Round&)>& after);

// "python/trafficdb: time 0.43x, peak RSS 2.09x (above 1: ...)": the peer's
// figures over ours, each named, then how to read them.
std::string ratio_line(std::string_view peer, std::string_view ours,
                       const std::vector<std::pair<std::string, double>>& ratios, std::string_view reading);

// ---------------------------------------------------------------- child programs

// "2.39 s, 7.8 MB/s, 2094 exchanges/s, peak RSS 56.9 MB (CPU user 1.25 s,
// sys 0.28 s)": medians of a child program's runs (child_process.h) over
// `megabytes` of input and, when given, that many exchanges.
std::string child_figures(const Series& runs, double megabytes, std::optional<double> exchanges);

// "2.39 s, 57 MB peak": one run, for a round's line.
std::string child_round(const ChildRun& run);

// ---------------------------------------------------------------- the JSON line

class JsonObject {
 public:
  JsonObject& string(std::string_view key, std::string_view value);
  JsonObject& number(std::string_view key, double value, int decimals);
  JsonObject& numbers(std::string_view key, const std::vector<double>& values, int decimals);  // an array
  JsonObject& boolean(std::string_view key, bool value);
  JsonObject& null(std::string_view key);
  JsonObject& raw(std::string_view key, std::string_view json);  // a value already written as JSON

  template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  JsonObject& integer(std::string_view key, T value) {
    return raw(key, std::to_string(value));
  }

  std::string str() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

// The fields of a child program's runs, medians: PREFIX_seconds,
// PREFIX_mb_per_s, PREFIX_exchanges_per_s (when `exchanges` is given),
// PREFIX_peak_rss_mb, PREFIX_user_s, PREFIX_sys_s.
void add_child_figures(JsonObject& json, std::string_view prefix, const Series& runs, double megabytes,
                       std::optional<double> exchanges);
// Every run: PREFIX_seconds_runs, PREFIX_peak_rss_mb_runs.
void add_child_runs(JsonObject& json, std::string_view prefix, const Series& runs);

// How every benchmark's output ends.
class Report {
 public:
  // `bench` is the JSON line's first field ({"bench":"writer",...}); `args`
  // (already parsed) gives the reproduce line.
  Report(std::string_view bench, const Args& args);

  JsonObject& json() { return json_; }

  // Prints "reproduce: <command>" and then the JSON line, and flushes.
  void finish(std::ostream& out = std::cout) const;

 private:
  const Args& args_;
  JsonObject json_;
};

}  // namespace bench
