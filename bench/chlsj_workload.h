// The Charles workload: a realistic Charles JSON session export (.chlsj)
// of N transactions from a fixed-seed generator, shaped like the real
// samples in /work/shared/samples/charles/: plain and HTTP/2 transactions,
// CONNECT tunnels, EXCEPTIONs, bodies in every form Charles writes, numbers
// written as strings by older exports. See bench/README.md (chlsj_bench,
// "What it does") for the shares.
#pragma once

#include <cstdint>
#include <string>

namespace bench::chlsj_workload {

// What was generated.
struct GenStats {
  std::uint64_t transactions = 0;
  std::uint64_t tunnels = 0;
  std::uint64_t exceptions = 0;
  std::uint64_t http2 = 0;
  std::uint64_t request_bodies = 0;
  std::uint64_t response_bodies = 0;
  std::uint64_t response_body_bytes = 0;  // decoded
  std::uint64_t gzip_base64_bodies = 0;   // gzip, base64, not decoded: the importer inflates them
  std::uint64_t decoded_bodies = 0;       // "decoded": true with contentEncoding gzip
  std::uint64_t binary_bodies = 0;        // base64 images
  std::uint64_t string_numbers = 0;       // transactions with speeds/totalSize as strings
  std::uint64_t bytes = 0;                // of the file (set by the caller)
  double seconds = 0;                     // generation time
};

// Writes `count` transactions to `path`, streaming (one transaction in
// memory at a time) through PATH.partial, renamed when complete. Throws
// std::runtime_error when the file cannot be written.
GenStats generate_chlsj(const std::string& path, std::uint64_t count, std::uint64_t seed);

}  // namespace bench::chlsj_workload
