// The rows writer_bench stores: N synthetic exchanges of API traffic, about
// 1 KB of metadata each plus a JSON response body, from a fixed-seed
// generator (the same rows for a given build, seed and options). See
// bench/README.md (writer_bench, "What it does") for their shape.
#pragma once

#include <cstdint>
#include <vector>

#include "model/exchange.h"

namespace bench {

struct WriterWorkloadOptions {
  std::uint64_t count = 200000;
  std::uint64_t body_bytes = 600;        // average response body size
  std::uint64_t distinct_bodies = 1000;  // response bodies cycled through; 0 = every one unique
  std::uint64_t seed = 1;
};

struct WriterWorkload {
  std::vector<trafficdb::Exchange> exchanges;
  std::uint64_t input_bytes = 0;  // input_bytes() of every exchange
  std::uint64_t response_bodies = 0;
  std::uint64_t response_body_bytes = 0;
  std::uint64_t request_bodies = 0;
  double seconds = 0;  // generation time
};

// Generates the whole workload in memory.
WriterWorkload generate_writer_workload(const WriterWorkloadOptions& options);

// The bytes a source hands over for `e`: every string field, header names
// and values, and the body bytes.
std::uint64_t input_bytes(const trafficdb::Exchange& e);

}  // namespace bench
