// The deterministic random source of every workload generator (pcap,
// Charles, the writer's rows, the query store): a seeded std::mt19937_64
// with its own small distributions (the standard library's distributions
// differ between implementations; these give the same workload for a seed
// everywhere).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace bench {

class WorkloadRandom {
 public:
  explicit WorkloadRandom(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t bits() { return engine_(); }

  // Uniform in [lo, hi] (the modulo bias is negligible for these ranges).
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi) { return lo + engine_() % (hi - lo + 1); }

  // Uniform index below n (n > 0).
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }

  // True in `p` of 100 draws (one draw of index(100)).
  bool percent(std::uint64_t p) { return index(100) < p; }

  // A uniformly chosen element of an array.
  template <typename T, std::size_t N>
  const T& one_of(const T (&items)[N]) {
    return items[index(N)];
  }

  // Uniform in [0, 1).
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  bool chance(double p) { return unit() < p; }

  // Exponentially distributed with this mean.
  double exponential(double mean) { return -std::log1p(-unit()) * mean; }

  // Log-uniform in [lo, hi]: as many small values as large ones per decade.
  std::uint64_t log_range(std::uint64_t lo, std::uint64_t hi) {
    const double v = std::exp(std::log(static_cast<double>(lo)) +
                              unit() * (std::log(static_cast<double>(hi)) - std::log(static_cast<double>(lo))));
    return static_cast<std::uint64_t>(v);
  }

  // `n` lower-case hex digits.
  std::string hex(std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out(n, '0');
    for (std::size_t i = 0; i < n; i += 16) {
      std::uint64_t v = engine_();
      for (std::size_t j = i; j < n && j < i + 16; ++j, v >>= 4) out[j] = digits[v & 15];
    }
    return out;
  }

  // "1b4e28ba-2fa1-41d2-a883-..." (random hex in the shape of a UUID v4).
  // The groups are drawn last one first, as the generators always drew them.
  std::string uuid() {
    const std::string e = hex(12), d = hex(3), c = hex(3), b = hex(4), a = hex(8);
    return a + "-" + b + "-4" + c + "-a" + d + "-" + e;
  }

  // `n` random bytes, eight from each draw, lowest byte first.
  std::string bytes(std::size_t n) {
    std::string out(n, '\0');
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i, v >>= 8) {
      if (i % 8 == 0) v = engine_();
      out[i] = static_cast<char>(v & 0xff);
    }
    return out;
  }

  // Index into `weights` with probability proportional to its weight.
  template <typename Weights>
  std::size_t weighted(const Weights& weights) {
    double total = 0;
    for (const double w : weights) total += w;
    double x = unit() * total;
    std::size_t i = 0;
    for (const double w : weights) {
      if (x < w) return i;
      x -= w;
      ++i;
    }
    return i - 1;
  }

  // The engine itself, for a standard distribution a generator already
  // depends on (query_workload's lognormal durations).
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace bench
