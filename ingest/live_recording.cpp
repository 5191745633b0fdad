#include "ingest/live_recording.h"

#include <atomic>

#include "common/timestamp.h"
#include "ingest/session_integrity.h"
#include "store/sessions.h"
#include "store/writer.h"

namespace trafficdb {

// Passes exchanges to the writer until max_exchanges are stored; later ones
// are dropped (a source may finish a few in flight before it is stopped).
// Notes when the writer refuses one.
// The writer's sink is set once the session exists (before the source starts).
class LiveRecording::LimitedSink final : public ExchangeSink {
 public:
  explicit LimitedSink(std::optional<std::uint64_t> max) : max_(max) {}
  void set_target(ExchangeSink& sink) { sink_ = &sink; }

  Status consume(Exchange&& exchange) override {
    if (max_ && stored_.load() >= *max_) return Status::ok();
    Status s = sink_->consume(std::move(exchange));
    if (!s.is_ok()) {
      failed_ = true;
      return s;
    }
    stored_.fetch_add(1);
    return s;
  }

  bool at_limit() const { return max_ && stored_.load() >= *max_; }
  bool failed() const { return failed_.load(); }

 private:
  ExchangeSink* sink_ = nullptr;
  const std::optional<std::uint64_t> max_;
  std::atomic<std::uint64_t> stored_{0};
  std::atomic<bool> failed_{false};
};

namespace {

std::string_view session_source_of(const SourceSettings& source) {
  if (std::holds_alternative<PcapSourceConfig>(source)) return session_source::pcap_live;
  if (std::holds_alternative<CharlesSourceConfig>(source)) return session_source::charles_live;
  return session_source::httptoolkit;
}

}  // namespace

Result<std::unique_ptr<LiveRecording>> LiveRecording::start(LiveRecordingOptions options) {
  std::unique_ptr<LiveRecording> r(new LiveRecording());
  r->options_ = std::move(options);
  const LiveRecordingOptions& o = r->options_;
  if (o.max_exchanges && *o.max_exchanges == 0) return Status::invalid_input("max_exchanges must be at least 1");
  if (o.duration && o.duration->count() <= 0) return Status::invalid_input("the duration must be positive");

  // The source is built (and its config checked) before the database is touched.
  r->sink_ = std::make_unique<LimitedSink>(o.max_exchanges);
  auto source = make_live_source(o.source, *r->sink_);
  if (!source.is_ok()) return source.status();

  WriterOptions writer_options;
  writer_options.max_body_bytes = o.source.max_body_bytes;
  writer_options.apply_retention = true;
  writer_options.retention_interval = o.retention_interval;
  writer_options.on_retention_round = o.on_retention_round;
  auto writer = Writer::open(o.db_path, writer_options);
  if (!writer.is_ok()) return writer.status();
  r->writer_ = std::move(writer).value();

  const std::string address = source_address(o.source.source);
  r->name_ = !o.name.empty() ? o.name
                             : std::string(source_kind(o.source.source)) + " " + address + " " +
                                   format_human_time(now_micros()).substr(0, 19);
  auto session = r->writer_->create_session({r->name_, session_source_of(o.source.source), address,
                                             session_status::recording, source_options_json(o.source)});
  if (!session.is_ok()) return session.status();
  r->session_id_ = *session;
  r->writer_sink_ = r->writer_->sink(r->session_id_);
  r->sink_->set_target(*r->writer_sink_);

  if (Status started = (*source)->start(); !started.is_ok()) {
    (void)r->writer_->delete_session(r->session_id_);
    (void)r->writer_->close();
    return started;
  }
  r->source_ = std::move(source).value();
  r->source_stopped_ = false;
  r->session_ended_ = false;
  if (o.duration) r->deadline_ = std::chrono::steady_clock::now() + *o.duration;
  return r;
}

LiveRecording::~LiveRecording() {
  if (!session_ended_) (void)stop();
}

std::string LiveRecording::describe() const { return source_ ? source_->describe() : std::string(); }

LiveSourceStatus LiveRecording::source_status() const { return source_ ? source_->status() : LiveSourceStatus{}; }

std::vector<SourceCount> LiveRecording::source_counts() const {
  return source_ ? source_->counts() : std::vector<SourceCount>{};
}

void LiveRecording::save_integrity() const {
  if (!source_ || !writer_) return;
  (void)writer_->set_session_integrity(session_id_, integrity_json(source_->counts()));
}

bool LiveRecording::due() const {
  {
    std::unique_lock lk(integrity_mu_, std::try_to_lock);
    const auto now = std::chrono::steady_clock::now();
    if (lk.owns_lock() && !integrity_final_ && now - integrity_saved_ >= std::chrono::seconds(5)) {
      integrity_saved_ = now;
      save_integrity();
    }
  }
  if (deadline_ && std::chrono::steady_clock::now() >= *deadline_) return true;
  if (sink_->at_limit() || sink_->failed()) return true;
  return source_ && source_->status().failed;
}

RecordingEnd LiveRecording::stop() {
  std::lock_guard lk(stop_mu_);
  RecordingEnd end;
  end.session_id = session_id_;
  if (!source_stopped_) {
    source_failure_ = source_->stop();
    source_stopped_ = true;
  }
  end.exchanges = source_->status().stored;
  end.summary = source_->summary();
  const Status flushed = writer_->flush();
  {
    std::lock_guard integrity_lk(integrity_mu_);
    if (!integrity_final_) save_integrity();
    integrity_final_ = true;
  }
  end.failure = !source_failure_.is_ok() ? source_failure_ : flushed;
  if (!session_ended_) {
    end.ended = writer_->finish_session(
        session_id_, end.failure.is_ok() ? session_status::stopped : session_status::failed,
        end.failure.is_ok() ? std::nullopt : std::optional<std::string>(end.failure.message()));
    if (end.ended.is_ok()) {
      session_ended_ = true;
      (void)writer_->close();  // else kept open, so a later stop() can retry
    }
  }
  return end;
}

}  // namespace trafficdb
