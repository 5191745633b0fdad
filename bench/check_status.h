// The benchmarks stop on the first failure of a trafficdb call: check()
// turns a failed Status or Result into a std::runtime_error naming the call,
// which main() prints ("<program>: <what>: <message>").
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "common/status.h"

namespace bench {

template <typename T>
T check(trafficdb::Result<T> r, const char* what) {
  if (!r.is_ok()) throw std::runtime_error(std::string(what) + ": " + r.status().message());
  return std::move(r).value();
}

inline void check(const trafficdb::Status& s, const char* what) {
  if (!s.is_ok()) throw std::runtime_error(std::string(what) + ": " + s.message());
}

}  // namespace bench
