// The deterministic random source of the pcap workload generator: a seeded
// std::mt19937_64 with its own small distributions (the standard library's
// distributions differ between implementations; these give the same workload
// for a seed everywhere).
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

 private:
  std::mt19937_64 engine_;
};

}  // namespace bench
