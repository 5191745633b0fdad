// HttpToolkitRecorder: records what HTTP Toolkit (or any Mockttp admin
// server) proxies, live, into an ExchangeSink, for as long as it runs.
//
// Which traffic:
//   - attach:      a session given by id: HTTP Toolkit's own, so everything
//                  its interceptors catch is recorded;
//   - attach_auto: the session HTTP Toolkit's UI runs, found from the files
//                  it writes (httptoolkit_session_files.h): the newest the
//                  admin server still knows;
//   - listen:      a session of our own, a pass-through proxy (HTTP and
//                  WebSockets) on a port: whatever is pointed at it is
//                  recorded. It is stopped when recording stops.
// The recorder subscribes over graphql-ws (a WebSocket to
// /session/<id>/subscription, Origin and keep-alive handled) to the events
// that make exchanges (mockttp_subscriptions.h) and assembles them
// (mockttp_exchange_assembler.h) into the sink.
//
// Lifecycle: start() finds or starts the session, connects and subscribes,
// and fails with a clear message when it cannot (nothing runs then). Once
// it returns, every event is seen. A background thread then reads events.
// A lost connection is retried with backoff: the session is looked for
// again (attach_auto follows a restarted HTTP Toolkit; listen starts the
// session again on the same port) and when the subscription is back the
// gap is logged with its time span; exchanges open across it say so if
// their end never comes. An attached session that is gone for good fails
// the recorder (failed()). stop() asks Mockttp to end the subscriptions, so
// the events it had sent are read first (waiting at most `stop_drain`),
// stores what is still open with an error, and stops a session of its own.
//
// The sink is not owned and must outlive the recorder. Memory: the
// assembler's bounds (max_open, max_open_bytes) plus one event, whose
// strings are cut at the base64 size of max_body_bytes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/timestamp.h"
#include "model/exchange_sink.h"
#include "recorder/httptoolkit/mockttp_admin_client.h"
#include "recorder/live_source.h"

namespace trafficdb {

namespace mockttp {
class MockttpExchangeAssembler;
}

enum class HttpToolkitMode { attach, attach_auto, listen };

struct HttpToolkitOptions {
  std::string admin_url = "http://127.0.0.1:45456";  // HTTP Toolkit's; plain Mockttp uses 45454
  HttpToolkitMode mode = HttpToolkitMode::attach_auto;
  std::string session_id;  // attach
  int listen_port = 0;     // listen: the proxy's port (0: a free one, said in stats())
  nlohmann::json https;    // listen: {"key": PEM, "cert": PEM} to intercept TLS; null: the admin server's default
  std::string session_dir;  // attach_auto: "" = httptoolkit_session_dir()
  std::string origin = kHttpToolkitOrigin;
  std::uint64_t max_body_bytes = 32u << 20;
  std::size_t max_open = 10000;               // requests and WebSockets awaiting their end
  std::uint64_t max_open_bytes = 256u << 20;  // what they may hold in all
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds idle_timeout{30000};  // silence, pings unanswered, that drops the connection
  std::chrono::milliseconds max_backoff{10000};   // between reconnection attempts
  std::chrono::milliseconds stop_drain{3000};
  // Where the recorder says what it is doing (a line, no newline). May be empty.
  std::function<void(const std::string&)> log;
};

struct HttpToolkitStats {
  std::string session_id;  // the session recorded now
  int proxy_port = 0;      // its proxy's port, when known (listen, attach_auto)
  std::uint64_t events = 0;
  std::uint64_t stored = 0;
  std::uint64_t evicted = 0;     // stored early to stay within max_open / max_open_bytes
  std::uint64_t unmatched = 0;   // events dropped: their request was never seen
  std::uint64_t late = 0;        // events dropped: their exchange was already stored
  std::uint64_t unreadable = 0;  // events and messages that could not be read
  std::uint64_t open = 0;
  std::uint64_t open_bytes = 0;
  std::uint64_t reconnects = 0;
  Micros disconnected_micros = 0;  // time without a subscription, in all
  bool connected = false;
  std::string last_error;  // of the connection, "" while it is fine
};

class HttpToolkitRecorder final : public LiveSource {
 public:
  HttpToolkitRecorder(HttpToolkitOptions options, ExchangeSink& sink);
  ~HttpToolkitRecorder() override;  // stop()
  HttpToolkitRecorder(const HttpToolkitRecorder&) = delete;
  HttpToolkitRecorder& operator=(const HttpToolkitRecorder&) = delete;

  Status start() override;

  // Idempotent. Returns why recording failed, if it did (the sink, or an
  // attached session gone).
  Status stop() override;

  HttpToolkitStats stats() const;

  // True once recording cannot go on: the caller should stop() it and end
  // the session as failed.
  bool failed() const;

  LiveSourceStatus status() const override;
  std::vector<SourceCount> counts() const override;
  std::string summary() const override;
  std::string describe() const override;

 private:
  struct Connection;
  Status find_session(bool first);
  Status find_httptoolkit_session();
  Result<std::unique_ptr<Connection>> connect();
  std::vector<std::pair<std::string, std::string>> subscriptions();
  void run();
  Status pump(Connection& connection);
  bool reconnect(const std::string& why);
  void fail(const Status& why);
  void say(const std::string& line) const;
  void say_problem(const std::string& line);
  void publish_stats();

  const HttpToolkitOptions options_;
  ExchangeSink& sink_;
  std::optional<MockttpAdminClient> admin_;
  std::unique_ptr<mockttp::MockttpExchangeAssembler> assembler_;

  // The recording thread's (start() before it runs, stop() after it ends).
  std::string session_id_;
  int proxy_port_ = 0;
  bool own_session_ = false;    // listen: ours to stop
  bool rules_pending_ = false;  // listen: a new session, rules not yet set
  bool schema_told_ = false;    // what the server lacks was said once
  std::uint64_t problems_ = 0;          // said (the first few) or counted
  std::uint64_t message_problems_ = 0;  // of them, messages and events the subscription could not use
  std::unique_ptr<Connection> connection_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  Connection* live_ = nullptr;  // the connection being made or used
  bool live_subscribed_ = false;
  bool stopping_ = false;
  bool started_ = false;
  bool running_ = false;  // the thread has not finished
  Status failure_;
  HttpToolkitStats stats_;
  std::thread thread_;
};

}  // namespace trafficdb
