// Writing any filter's result as HAR 1.2 (re-importable by `trafficdb
// import`, openable in browser devtools), streamed: one entry in memory at a
// time. Bodies are included: text as text, other bytes as base64 with
// "encoding": "base64". Secrets are redacted unless asked not to.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <ostream>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "query/exchange_filter.h"
#include "query/redaction.h"

namespace trafficdb {

struct HarExportOptions {
  bool redact = true;
  const RedactionRules* rules = &RedactionRules::defaults();
  std::function<void(std::size_t)> progress;   // entries written so far
  const std::atomic<bool>* cancel = nullptr;   // when set and true, stops with an error
};

// Returns the number of entries written.
Result<std::size_t> export_har(SQLite::Database& db, const ExchangeFilter& filter, std::ostream& out,
                               const HarExportOptions& options = {});

// One exchange as a HAR file; not_found when there is no exchange `id`.
Result<std::size_t> export_har_exchange(SQLite::Database& db, std::int64_t id, std::ostream& out,
                                        const HarExportOptions& options = {});

}  // namespace trafficdb
