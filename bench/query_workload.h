// The exchanges query_bench's store is built from: realistic traffic of
// ~50 hosts with a Zipf-like skew (query_vocabulary.h), API paths with
// numeric ids and UUIDs, static assets, HTML pages, telemetry; methods and
// statuses including 4xx/5xx, ~1% failed exchanges without a response,
// unique JSON response bodies with varied words (some carrying a rare word,
// so that body search has hits), start times spread over 24 hours. The
// same exchanges for a given build, seed, count and body size. See
// bench/README.md (query_bench, "What it does") for the shares.
#pragma once

#include <cstdint>
#include <memory>

#include "model/exchange.h"
#include "query_vocabulary.h"

namespace bench::query_workload {

class QueryWorkload {
 public:
  // `count` exchanges in all (it spaces their start times); `body_bytes`:
  // the average size of the unique JSON response bodies. Builds the pools
  // of HTML pages and assets first.
  QueryWorkload(std::uint64_t seed, std::uint64_t count, std::uint64_t body_bytes);
  ~QueryWorkload();
  QueryWorkload(const QueryWorkload&) = delete;
  QueryWorkload& operator=(const QueryWorkload&) = delete;

  // Exchange `index` (0 .. count-1, in order).
  trafficdb::Exchange next(std::uint64_t index);

  // How many response bodies got a rare word so far.
  std::uint64_t rare_word_bodies() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bench::query_workload
