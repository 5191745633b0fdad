// SourceCount: one named count of what a source saw, dropped or could not
// read — the pieces of a session's capture integrity (sessions.integrity,
// docs/schema.md): packets, kernel drops, TCP gap bytes, connections
// skipped, TLS connections not decrypted, reconnections, ...
//
// A count without a detail is a total; counts with a detail split one name
// by a reason or a server name ("tls_not_decrypted_by_server",
// detail "api.example.com"). Sources report their totals even when zero: a
// zero is an answer ("no packets were dropped"), a missing count is not.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace trafficdb {

struct SourceCount {
  SourceCount(std::string name, std::uint64_t value, std::string detail = {})
      : name(std::move(name)), value(value), detail(std::move(detail)) {}

  std::string name;
  std::uint64_t value = 0;
  std::string detail;  // "" for a total
};

}  // namespace trafficdb
