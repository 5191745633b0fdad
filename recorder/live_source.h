// LiveSource: a source that records while it runs — a network interface
// (pcap), Charles's Web Interface, HTTP Toolkit's event stream — handing
// each exchange to an ExchangeSink as it completes.
//
// Every live recorder implements it, and make_live_source()
// (live_source_factory.h) builds one from a plain config, so that what
// drives a recording (ingest/live_recording.h, for the CLI and MCP) knows
// none of them.
//
// Lifecycle: start() once; it fails with a clear message (and nothing runs)
// when the source cannot be opened or reached. The source then records on a
// thread of its own until stop(), which hands on what is still open (with
// an error saying so) and joins that thread. stop() is idempotent and
// returns why recording failed, if it did. status(), counts(), summary()
// and describe() may be called from any thread at any time.
//
// A source never stops by itself: when it cannot go on (the sink refused an
// exchange, the attached session is gone for good) status().failed says so
// and the owner calls stop(). The sink is not owned and must outlive the
// source.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/source_count.h"

namespace trafficdb {

struct LiveSourceStatus {
  bool failed = false;       // cannot go on: stop() it; stop() says why
  std::uint64_t stored = 0;  // exchanges the sink has taken
  std::string last_error;    // the latest problem, "" while all is well (may pass: a retried poll)
};

class LiveSource {
 public:
  virtual ~LiveSource() = default;

  virtual Status start() = 0;
  virtual Status stop() = 0;

  virtual LiveSourceStatus status() const = 0;
  // What the source saw and missed so far (model/source_count.h): kept as
  // the session's capture integrity, shown in logs and status views.
  virtual std::vector<SourceCount> counts() const = 0;
  // One line saying what the source did, for the log when it stops.
  virtual std::string summary() const = 0;
  // What it records from, once started ("capturing on lo (tcp port 8080)").
  virtual std::string describe() const = 0;
};

}  // namespace trafficdb
