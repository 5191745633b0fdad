// How the benchmarks print what they measured; see bench_report.h.

#include "bench_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench_args.h"
#include "json_text.h"

namespace bench {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string over_rounds(std::uint64_t repeat, std::string_view what) {
  if (repeat <= 1) return "";
  return " (" + std::string(what) + " of " + std::to_string(repeat) + ")";
}

// ---------------------------------------------------------------- rounds

std::string Round::prefix() const { return "round " + std::to_string(number) + "/" + std::to_string(of) + ": "; }

std::string Round::first_note(std::string_view peer) const {
  return peer_first ? " (" + std::string(peer) + " first)" : "";
}

void run_rounds(std::uint64_t repeat, bool with_peer, const std::function<void(const Round&)>& ours,
                const std::function<void(const Round&)>& peer, const std::function<void(const Round&)>& after) {
  for (std::uint64_t i = 0; i < repeat; ++i) {
    const Round round{i + 1, repeat, with_peer && i % 2 == 1};
    if (round.peer_first) peer(round);
    ours(round);
    if (with_peer && !round.peer_first) peer(round);
    after(round);
  }
}

std::string ratio_line(std::string_view peer, std::string_view ours,
                       const std::vector<std::pair<std::string, double>>& ratios, std::string_view reading) {
  std::string out = std::string(peer) + "/" + std::string(ours) + ":";
  for (std::size_t i = 0; i < ratios.size(); ++i)
    out += (i ? ", " : " ") + ratios[i].first + " " + fixed(ratios[i].second, 2) + "x";
  return out + " (" + std::string(reading) + ")";
}

// ---------------------------------------------------------------- child programs

std::string child_figures(const Series& runs, double megabytes, std::optional<double> exchanges) {
  const double seconds = median(runs.seconds);
  std::string out = fixed(seconds, 2) + " s, " + fixed(megabytes / seconds, 1) + " MB/s, ";
  if (exchanges) out += fixed(*exchanges / seconds, 0) + " exchanges/s, ";
  return out + "peak RSS " + fixed(median(runs.rss), 1) + " MB (CPU user " + fixed(median(runs.user), 2) +
         " s, sys " + fixed(median(runs.sys), 2) + " s)";
}

std::string child_round(const ChildRun& run) {
  return fixed(run.seconds, 2) + " s, " + fixed(run.peak_rss_mb, 0) + " MB peak";
}

// ---------------------------------------------------------------- the JSON line

JsonObject& JsonObject::raw(std::string_view key, std::string_view json) {
  if (!body_.empty()) body_ += ',';
  append_json_string(body_, key);
  body_ += ':';
  body_ += json;
  return *this;
}

JsonObject& JsonObject::string(std::string_view key, std::string_view value) { return raw(key, json_string(value)); }

JsonObject& JsonObject::number(std::string_view key, double value, int decimals) {
  return raw(key, fixed(value, decimals));
}

JsonObject& JsonObject::numbers(std::string_view key, const std::vector<double>& values, int decimals) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + fixed(values[i], decimals);
  return raw(key, out + "]");
}

JsonObject& JsonObject::boolean(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }

JsonObject& JsonObject::null(std::string_view key) { return raw(key, "null"); }

void add_child_figures(JsonObject& json, std::string_view prefix, const Series& runs, double megabytes,
                       std::optional<double> exchanges) {
  const std::string p(prefix);
  const double seconds = median(runs.seconds);
  json.number(p + "_seconds", seconds, 4).number(p + "_mb_per_s", megabytes / seconds, 2);
  if (exchanges) json.number(p + "_exchanges_per_s", *exchanges / seconds, 1);
  json.number(p + "_peak_rss_mb", median(runs.rss), 1)
      .number(p + "_user_s", median(runs.user), 3)
      .number(p + "_sys_s", median(runs.sys), 3);
}

void add_child_runs(JsonObject& json, std::string_view prefix, const Series& runs) {
  const std::string p(prefix);
  json.numbers(p + "_seconds_runs", runs.seconds, 4).numbers(p + "_peak_rss_mb_runs", runs.rss, 1);
}

Report::Report(std::string_view bench, const Args& args) : args_(args) { json_.string("bench", bench); }

void Report::finish(std::ostream& out) const {
  out << "reproduce: " << args_.command_line() << "\n" << json_.str() << std::endl;
}

}  // namespace bench
