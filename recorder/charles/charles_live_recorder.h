// CharlesLiveRecorder: records what a running Charles sees, through its Web
// Interface, into an ExchangeSink.
//
// Charles has no delta API: every poll downloads the whole session
// (http://control.charles/session/export-json, reached through Charles's
// own proxy port with HTTP basic auth). Each transaction gets a stable key
// (method, URL, start time, client address, and an occurrence number for
// identical ones); a key is stored once, when Charles has finished with the
// transaction, so one first seen in flight is stored when it completes. The
// control.charles transactions themselves are skipped. A cleared session is
// noticed (the export shrinks or known keys vanish) and recording goes on;
// a transaction that vanishes while still in flight is stored with an error
// rather than lost. The user's session is never cleared unless asked.
//
// Lifecycle: start() checks that Charles answers (and says what to check in
// Charles when it does not), then polls on a background thread every
// `interval`. A failed poll is logged and retried with backoff; what was
// stored stays. stop() polls a last time, stores what is still in flight
// with an error, and joins the thread. The sink is not owned; it must
// outlive the recorder. Memory: one export (capped by max_export_bytes) plus
// a 16-byte digest per transaction seen.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "recorder/charles/charles_transaction.h"
#include "model/exchange_sink.h"
#include "recorder/json_array_stream.h"
#include "recorder/live_source.h"

namespace trafficdb {

struct CharlesLiveOptions {
  std::string proxy = "http://127.0.0.1:8888";  // Charles's proxy address
  std::string user;                              // Web Interface credentials
  std::string password;
  std::chrono::milliseconds interval{2000};
  bool clear_first = false;      // clear Charles's session before recording
  bool start_recording = false;  // start Charles's recording if it is stopped
  std::uint64_t max_body_bytes = 32u << 20;
  std::uint64_t max_export_bytes = 2ull << 30;  // one export larger than this is refused
  std::chrono::seconds request_timeout{60};
  // Where the recorder says what it is doing (a line, no newline). May be empty.
  std::function<void(const std::string&)> log;
};

struct CharlesLiveStats {
  std::uint64_t polls = 0;
  std::uint64_t failed_polls = 0;
  std::uint64_t stored = 0;
  std::uint64_t in_flight = 0;  // seen, not yet finished
  std::uint64_t clears = 0;     // times the Charles session was seen cleared
  std::string last_error;       // of the last failed poll, "" after a good one
};

class CharlesLiveRecorder final : public LiveSource {
 public:
  CharlesLiveRecorder(CharlesLiveOptions options, ExchangeSink& sink);
  ~CharlesLiveRecorder() override;
  CharlesLiveRecorder(const CharlesLiveRecorder&) = delete;
  CharlesLiveRecorder& operator=(const CharlesLiveRecorder&) = delete;

  // Fails, naming the proxy and what to check in Charles, when Charles cannot
  // be reached or refuses the credentials; nothing runs then.
  Status start() override;

  // Idempotent. Returns the sink's failure if storing failed.
  Status stop() override;

  CharlesLiveStats stats() const;

  // True once storing failed: the recorder has stopped polling; the caller
  // should stop() it and end the session as failed.
  bool failed() const;

  LiveSourceStatus status() const override;
  std::vector<SourceCount> counts() const override;
  std::string summary() const override;
  std::string describe() const override;

 private:
  struct Http;
  Status poll_once();
  Status request(const std::string& path, std::string& body);
  void run();
  void say(const std::string& line) const;
  Status store(JsonElement&& transaction, const std::string& key_digest, const std::string& error);

  const CharlesLiveOptions options_;
  ExchangeSink& sink_;
  std::unique_ptr<Http> http_;

  // Poll state, used by one thread at a time (start, then run, then stop).
  std::unordered_set<std::string> stored_keys_;       // digests of keys stored (or refused)
  std::map<std::string, JsonElement> in_flight_;      // digest -> latest version seen
  std::unordered_set<std::string> last_export_keys_;  // digests, to notice a clear

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool started_ = false;
  Status sink_failure_;
  CharlesLiveStats stats_;
  std::thread thread_;
};

}  // namespace trafficdb
