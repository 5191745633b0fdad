#include "recorder/httptoolkit/httptoolkit_recorder.h"

#include <algorithm>
#include <cstdio>

#include "common/thread_name.h"
#include "recorder/export_fields.h"
#include "recorder/httptoolkit/graphql_ws_session.h"
#include "recorder/httptoolkit/httptoolkit_session_files.h"
#include "recorder/httptoolkit/mockttp_exchange_assembler.h"
#include "recorder/httptoolkit/mockttp_subscriptions.h"
#include "recorder/httptoolkit/websocket_client.h"
#include "recorder/httptoolkit/websocket_json_reader.h"

namespace trafficdb {
namespace {

// What one event may cost while it is read: strings up to the base64 size
// of the body limit, the whole value up to two such strings and change.
JsonMessageLimits message_limits(std::uint64_t max_body_bytes) {
  JsonMessageLimits limits;
  limits.max_string_bytes = (max_body_bytes + 2) / 3 * 4 + 4;
  limits.max_value_bytes = 2 * limits.max_string_bytes + (16u << 20);
  return limits;
}

std::string seconds_text(Micros micros) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(micros) / 1e6);
  return buf;
}

constexpr std::uint64_t kProblemsSaidInFull = 20;

}  // namespace

// One subscription connection: the WebSocket, its message reader and the
// graphql-ws protocol over them.
struct HttpToolkitRecorder::Connection {
  WebSocketClient client;
  JsonMessageReader reader;
  GraphqlWsSession session;

  explicit Connection(const HttpToolkitOptions& o)
      : client(WebSocketTimeouts{o.connect_timeout, o.idle_timeout}),
        reader([this](char* into, std::size_t n) { return client.read_part(into, n); },
               message_limits(o.max_body_bytes)),
        session(GraphqlWsTransport{[this](std::string_view text) { return client.send_text(text); },
                                   [this](std::string text) { client.post_text(std::move(text)); },
                                   [this] { return reader.next(); }},
                o.connect_timeout * 2) {}
};

HttpToolkitRecorder::HttpToolkitRecorder(HttpToolkitOptions options, ExchangeSink& sink)
    : options_(std::move(options)), sink_(sink) {}

HttpToolkitRecorder::~HttpToolkitRecorder() { (void)stop(); }

void HttpToolkitRecorder::say(const std::string& line) const {
  if (options_.log) options_.log(line);
}

void HttpToolkitRecorder::say_problem(const std::string& line) {
  ++problems_;
  if (problems_ <= kProblemsSaidInFull) say(line);
  else if (problems_ % 1000 == 0) say(std::to_string(problems_) + " problems so far; the last: " + line);
}

bool HttpToolkitRecorder::failed() const {
  std::lock_guard lk(mu_);
  return !failure_.is_ok();
}

HttpToolkitStats HttpToolkitRecorder::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

LiveSourceStatus HttpToolkitRecorder::status() const {
  std::lock_guard lk(mu_);
  return {!failure_.is_ok(), stats_.stored, stats_.last_error};
}

std::vector<SourceCount> HttpToolkitRecorder::counts() const {
  const HttpToolkitStats s = stats();
  return {{"events", s.events},
          {"evicted", s.evicted},
          {"unmatched", s.unmatched},
          {"late", s.late},
          {"unreadable", s.unreadable},
          {"open", s.open},
          {"reconnects", s.reconnects},
          {"disconnected_ms", static_cast<std::uint64_t>(s.disconnected_micros / 1000)}};
}

std::string HttpToolkitRecorder::summary() const {
  const HttpToolkitStats s = stats();
  return std::to_string(s.events) + " events; " + std::to_string(s.reconnects) + " reconnections (" +
         std::to_string(s.disconnected_micros / 1000) + " ms without a subscription); " +
         std::to_string(s.evicted) + " stored early to stay within --max-open, " + std::to_string(s.unmatched) +
         " events without their request, " + std::to_string(s.late) + " late, " + std::to_string(s.unreadable) +
         " unreadable";
}

std::string HttpToolkitRecorder::describe() const {
  const HttpToolkitStats s = stats();
  return "recording Mockttp session " + s.session_id + " at " + options_.admin_url +
         (options_.mode == HttpToolkitMode::listen
              ? "; send traffic through the proxy http://127.0.0.1:" + std::to_string(s.proxy_port)
              : "");
}

void HttpToolkitRecorder::fail(const Status& why) {
  std::lock_guard lk(mu_);
  if (failure_.is_ok()) failure_ = why;
}

void HttpToolkitRecorder::publish_stats() {
  const mockttp::AssemblerStats& a = assembler_->stats();
  std::lock_guard lk(mu_);
  stats_.events = a.events;
  stats_.stored = a.stored;
  stats_.evicted = a.evicted;
  stats_.unmatched = a.unmatched;
  stats_.late = a.late;
  stats_.unreadable = a.unreadable + message_problems_;
  stats_.open = a.open;
  stats_.open_bytes = a.open_bytes;
  stats_.session_id = session_id_;
  stats_.proxy_port = proxy_port_;
}

Status HttpToolkitRecorder::start() {
  {
    std::lock_guard lk(mu_);
    if (started_ || running_) return Status::error("the HTTP Toolkit recorder is already started");
  }
  auto admin = MockttpAdminClient::for_url(options_.admin_url, options_.origin, options_.connect_timeout * 2);
  if (!admin.is_ok()) return admin.status();
  admin_ = std::move(admin).value();
  if (options_.mode == HttpToolkitMode::attach && !is_session_id(options_.session_id))
    return Status::invalid_input("'" + options_.session_id + "' is not a Mockttp session id (letters, digits and '-')");
  if (options_.mode == HttpToolkitMode::listen && (options_.listen_port < 0 || options_.listen_port > 65535))
    return Status::invalid_input("bad listen port " + std::to_string(options_.listen_port));

  mockttp::AssemblerOptions assembly;
  assembly.max_body_bytes = options_.max_body_bytes;
  assembly.max_open = options_.max_open;
  assembly.max_open_bytes = options_.max_open_bytes;
  assembler_ = std::make_unique<mockttp::MockttpExchangeAssembler>(
      assembly, sink_, [this](const std::string& line) { say_problem(line); });

  Status found = find_session(true);
  auto connection = found.is_ok() ? connect() : Result<std::unique_ptr<Connection>>(found);
  if (!connection.is_ok()) {
    if (own_session_) (void)admin_->stop_session(session_id_);
    own_session_ = false;
    return connection.status();
  }
  connection_ = std::move(connection).value();
  publish_stats();
  {
    std::lock_guard lk(mu_);
    started_ = true;
    running_ = true;
    stopping_ = false;
    stats_.connected = true;
  }
  thread_ = std::thread([this] {
    name_this_thread("tdb-httptoolkit");
    run();
  });
  return Status::ok();
}

Status HttpToolkitRecorder::find_session(bool first) {
  switch (options_.mode) {
    case HttpToolkitMode::attach: {
      auto exists = admin_->session_exists(options_.session_id);
      if (!exists.is_ok()) return exists.status();
      if (!*exists) {
        const Status gone = Status::not_found(
            "the admin server at " + admin_->url() + " has no session " + options_.session_id +
            (first ? ": give the id of a running session (HTTP Toolkit's own: --attach auto finds it)"
                   : " any more (was HTTP Toolkit restarted? --attach auto follows its new session)"));
        if (!first) fail(gone);
        return gone;
      }
      session_id_ = options_.session_id;
      return Status::ok();
    }
    case HttpToolkitMode::attach_auto:
      return find_httptoolkit_session();
    case HttpToolkitMode::listen: {
      if (!first) {
        auto exists = admin_->session_exists(session_id_);
        if (!exists.is_ok()) return exists.status();
        if (*exists) return Status::ok();
      }
      // The same port as before after a restart, so clients keep working.
      auto session = admin_->start_session(first ? options_.listen_port : proxy_port_, options_.https);
      if (!session.is_ok()) return session.status();
      session_id_ = session->id;
      proxy_port_ = session->proxy_port;
      own_session_ = true;
      rules_pending_ = true;
      say("started Mockttp session " + session_id_ + " at " + admin_->url() + ": a pass-through proxy on port " +
          std::to_string(proxy_port_));
      return Status::ok();
    }
  }
  return Status::error("unknown mode");
}

Status HttpToolkitRecorder::find_httptoolkit_session() {
  const std::string dir = options_.session_dir.empty() ? httptoolkit_session_dir() : options_.session_dir;
  std::vector<std::string> unreadable;
  auto files = find_httptoolkit_session_files(dir, &unreadable);
  if (!files.is_ok()) return files.status();
  for (const std::string& u : unreadable) say("ignored " + u);
  if (files->empty())
    return Status::not_found("no running HTTP Toolkit session found: " + dir +
                         " holds no session files (is HTTP Toolkit running, as this user? Else give --attach "
                         "SESSION_ID)");
  for (const HttpToolkitSessionFile& f : *files) {
    auto exists = admin_->session_exists(f.session_id);
    if (!exists.is_ok()) return exists.status();
    if (!*exists) continue;
    if (f.session_id != session_id_)
      say((session_id_.empty() ? "found HTTP Toolkit's session " : "HTTP Toolkit's session is now ") +
          f.session_id + " (from " + f.path +
          (f.proxy_port ? "; its proxy listens on port " + std::to_string(f.proxy_port) : "") + ")");
    session_id_ = f.session_id;
    proxy_port_ = f.proxy_port;
    return Status::ok();
  }
  return Status::not_found("none of the " + std::to_string(files->size()) + " HTTP Toolkit sessions named in " + dir +
                       " exists on the admin server at " + admin_->url() +
                       " (HTTP Toolkit is not running, or its admin server is elsewhere: --admin)");
}

std::vector<std::pair<std::string, std::string>> HttpToolkitRecorder::subscriptions() {
  auto answer = admin_->graphql(session_id_, mockttp::schema_query());
  Result<mockttp::SchemaFields> schema = answer.is_ok() ? mockttp::read_schema_answer(*answer)
                                                        : Result<mockttp::SchemaFields>(answer.status());
  std::vector<std::string> left_out;
  const auto documents = mockttp::subscription_documents(schema.is_ok() ? &*schema : nullptr, &left_out);
  if (!schema_told_) {
    schema_told_ = true;
    if (!schema.is_ok())
      say("could not read Mockttp's schema (" + schema.status().message() + "); asking for every field");
    else if (!left_out.empty()) {
      std::string list;
      for (const std::string& l : left_out) list += (list.empty() ? "" : ", ") + l;
      say("this Mockttp lacks " + list + "; recording without them");
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& d : documents) out.emplace_back(std::string(mockttp::event_name(d.type)), d.query);
  return out;
}

Result<std::unique_ptr<HttpToolkitRecorder::Connection>> HttpToolkitRecorder::connect() {
  const auto subs = subscriptions();
  auto c = std::make_unique<Connection>(options_);
  {
    std::lock_guard lk(mu_);
    if (stopping_) return Status::cancelled("stopping");
    live_ = c.get();
    live_subscribed_ = false;
  }
  auto forget = [this] {
    std::lock_guard lk(mu_);
    live_ = nullptr;
  };
  Status s = c->client.connect(
      {admin_->host(), admin_->port(), "/session/" + session_id_ + "/subscription", options_.origin, "graphql-ws"});
  if (s.is_ok()) s = c->session.open();
  if (s.is_ok()) s = c->session.subscribe(subs);
  if (s.is_ok() && rules_pending_) {
    s = admin_->set_passthrough_rules(session_id_);
    rules_pending_ = !s.is_ok();
  }
  if (!s.is_ok()) {
    forget();
    return Status::error("subscribing to session " + session_id_ + ": " + s.message());
  }
  std::lock_guard lk(mu_);
  live_subscribed_ = true;
  return c;
}

void HttpToolkitRecorder::run() {
  for (;;) {
    const Status ended = pump(*connection_);
    {
      std::lock_guard lk(mu_);
      live_ = nullptr;
    }
    const bool stopping = [&] {
      std::lock_guard lk(mu_);
      return stopping_;
    }();
    if (stopping || failed()) {
      if (ended.is_ok()) connection_->client.close();  // drained: part politely
      break;
    }
    connection_.reset();
    if (!reconnect(ended.message())) break;
  }
  connection_.reset();
  std::lock_guard lk(mu_);
  running_ = false;
  stats_.connected = false;
  wake_.notify_all();
}

Status HttpToolkitRecorder::pump(Connection& connection) {
  for (;;) {
    auto delivery = connection.session.next();
    if (!delivery.is_ok()) return delivery.status();
    if (!delivery->problem.empty()) {
      ++message_problems_;
      say_problem(delivery->problem);
    }
    if (delivery->event) {
      const auto type = mockttp::event_type(delivery->event->field);
      if (!type) {
        ++message_problems_;
        say_problem("an event of an unknown kind, " + delivery->event->field.substr(0, 60) + "; ignored");
      } else if (Status s = assembler_->add(*type, std::move(delivery->event->value), delivery->event->cuts);
                 !s.is_ok()) {
        fail(s);
        say("storing failed, recording stops: " + s.message());
        return s;
      }
      publish_stats();
    }
    if (delivery->finished) return Status::ok();
  }
}

bool HttpToolkitRecorder::reconnect(const std::string& why) {
  const Micros lost_at = now_micros();
  say("lost the subscription to Mockttp (" + why + "); reconnecting, with backoff");
  {
    std::lock_guard lk(mu_);
    stats_.connected = false;
    stats_.last_error = why;
  }
  auto backoff = std::chrono::milliseconds(200);
  std::string last_said = why;
  for (int attempt = 1;; ++attempt) {
    {
      std::unique_lock lk(mu_);
      if (wake_.wait_for(lk, backoff, [&] { return stopping_; })) return false;
    }
    Status s = find_session(false);
    if (s.is_ok()) {
      auto c = connect();
      if (c.is_ok()) {
        connection_ = std::move(c).value();
        break;
      }
      s = c.status();
    }
    if (failed()) {
      say("recording stops: " + s.message());
      return false;
    }
    {
      std::lock_guard lk(mu_);
      stats_.last_error = s.message();
    }
    if (s.message() != last_said || attempt % 10 == 0) {
      say("reconnection attempt " + std::to_string(attempt) + " failed: " + s.message());
      last_said = s.message();
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  const Micros back_at = now_micros();
  assembler_->note_gap(lost_at, back_at);
  say("subscribed again to session " + session_id_ + ": nothing was recorded from " + format_human_time(lost_at) +
      " to " + format_human_time(back_at) + " (" + seconds_text(back_at - lost_at) + ")");
  {
    std::lock_guard lk(mu_);
    ++stats_.reconnects;
    stats_.disconnected_micros += back_at - lost_at;
    stats_.connected = true;
    stats_.last_error.clear();
  }
  publish_stats();
  return true;
}

Status HttpToolkitRecorder::stop() {
  {
    std::unique_lock lk(mu_);
    if (!started_) return failure_;
    started_ = false;
    stopping_ = true;
    wake_.notify_all();
    // Ask Mockttp to end the subscriptions: it sends what it already has,
    // then says `complete`. Without an answer in time, cut the connection.
    if (live_ && live_subscribed_) live_->session.unsubscribe();
    else if (live_) live_->client.interrupt();  // still connecting: nothing to drain
    if (!wake_.wait_for(lk, options_.stop_drain, [&] { return !running_; }) && live_) live_->client.interrupt();
  }
  if (thread_.joinable()) thread_.join();

  if (Status s = assembler_->store_open("still open when recording stopped: no response had come"); !s.is_ok())
    fail(s);
  publish_stats();
  if (own_session_) {
    if (Status s = admin_->stop_session(session_id_); !s.is_ok()) say("could not stop our Mockttp session: " + s.message());
    else say("stopped Mockttp session " + session_id_);
    own_session_ = false;
  }
  std::lock_guard lk(mu_);
  return failure_;
}

}  // namespace trafficdb
