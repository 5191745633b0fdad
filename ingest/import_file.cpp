#include "ingest/import_file.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "ingest/session_integrity.h"
#include "recorder/bounded_json_input.h"
#include "recorder/charles/chlsj_reader.h"
#include "recorder/format_detection.h"
#include "recorder/har/har_reader.h"
#include "recorder/pcap/pcap_file_reader.h"
#include "recorder/tls/key_log_file.h"

namespace trafficdb {
namespace {

// Passes exchanges on until `cancel` is set; then refuses them, which stops
// every reader at its next exchange.
class CancellableSink final : public ExchangeSink {
 public:
  CancellableSink(ExchangeSink& sink, const std::atomic<bool>* cancel) : sink_(sink), cancel_(cancel) {}
  Status consume(Exchange&& exchange) override {
    if (cancel_ && cancel_->load()) {
      cancelled_ = true;
      return Status::cancelled("cancelled");
    }
    return sink_.consume(std::move(exchange));
  }
  bool cancelled() const { return cancelled_; }

 private:
  ExchangeSink& sink_;
  const std::atomic<bool>* cancel_;
  bool cancelled_ = false;
};

std::string summary_of(const ImportReport& report) {
  std::string s;
  if (report.rejected) s += std::to_string(report.rejected) + " entries rejected";
  const std::size_t caveats = report.problem_count - report.rejected;
  if (caveats) s += (s.empty() ? "" : ", ") + std::to_string(caveats) + " stored with problems";
  if (!report.problems.empty())
    s += (s.empty() ? "" : "; ") + std::string("first: ") + report.problems.front().where + ": " +
         report.problems.front().message;
  if (report.fatal) s += (s.empty() ? "" : "; ") + *report.fatal;
  return s;
}

}  // namespace

WriterOptions bulk_import_writer_options(std::uint64_t max_body_bytes) {
  WriterOptions options;
  options.max_body_bytes = max_body_bytes;
  options.index_when_idle = false;      // indexing competes with parsing; `trafficdb index` does it
  // Large transactions (each commit rewrites every index page it touched,
  // and the bodies' hash index is touched all over), but not so large that
  // the queue's memory is all first-touch: 64 MiB / 50000 was 1.5x slower
  // on a 10k-exchange TLS capture (page faults) and no faster on 100k plain
  // exchanges (bench/README.md).
  options.queue_max_bytes = 24u << 20;
  options.batch_size = 20000;
  options.max_delay = std::chrono::seconds(2);
  options.background_checkpoint = true;
  return options;
}

Result<FileImportResult> import_file(Writer& writer, const std::string& path, const FileImportOptions& options) {
  InputFormat format;
  if (options.format == "auto") {
    auto detected = detect_file_format(path);
    if (!detected.is_ok()) return detected.status();
    format = *detected;
    if (format == InputFormat::unknown)
      return Status::invalid_input(path +
                                   ": not a format trafficdb reads (HAR 1.2, Charles .chlsj, pcap, pcapng); give the "
                                   "format if detection is wrong");
  } else {
    auto named = parse_format_name(options.format);
    if (!named.is_ok()) return named.status();
    format = *named;
  }
  if (format == InputFormat::charles_xml || format == InputFormat::charles_native)
    return Status::not_supported(path + ": " + std::string(format_name(format)) +
                                 " files are recognised but not imported; export the session from Charles as JSON "
                                 "(.chlsj) or HAR instead");
  const bool is_capture = format == InputFormat::pcap || format == InputFormat::pcapng;

  // JSON inputs are opened before the session is created, so an unreadable
  // file leaves no trace; a capture is opened by its reader.
  HarReaderOptions har_options;
  har_options.max_body_bytes = options.max_body_bytes;
  CharlesConversionOptions charles_options;
  charles_options.max_body_bytes = options.max_body_bytes;
  std::unique_ptr<BoundedJsonInput> json_input;
  if (!is_capture) {
    const std::uint64_t max_string =
        format == InputFormat::har ? har_max_string_bytes(har_options) : chlsj_max_string_bytes(charles_options);
    auto input = BoundedJsonInput::open_file(path, max_string);
    if (!input.is_ok()) return input.status();
    json_input = std::move(input).value();
  }

  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(path, ec).string();
  const nlohmann::json session_options = {{"format", format_name(format)},
                                          {"max_body_bytes", options.max_body_bytes}};
  const std::string_view source = is_capture                   ? session_source::pcap
                                  : format == InputFormat::har ? session_source::har
                                                               : session_source::charles;
  const std::string name =
      options.name.empty() ? std::filesystem::path(path).filename().string() : options.name;
  auto session =
      writer.create_session({name, source, absolute, session_status::recording, session_options.dump()});
  if (!session.is_ok()) return session.status();

  FileImportResult result;
  result.session_id = *session;
  result.format = std::string(format_name(format));
  const std::uint64_t committed_before = writer.stats().exchanges;
  auto writer_sink = writer.sink(*session);
  CancellableSink sink(*writer_sink, options.cancel);
  if (is_capture) {
    CaptureOptions capture_options;
    capture_options.http.max_body_bytes = options.max_body_bytes;
    capture_options.http2.max_body_bytes = options.max_body_bytes;
    capture_options.key_log_files = key_log_paths(options.key_log_files);
    auto read = read_pcap_file(path, sink, capture_options, options.progress);
    if (!read.is_ok()) {
      (void)writer.delete_session(*session);
      return read.status();
    }
    result.report = std::move(read).value();
  } else if (format == InputFormat::har) {
    result.report = read_har(*json_input, sink, har_options, options.progress);
  } else {
    result.report = read_chlsj(*json_input, sink, charles_options, options.progress);
  }
  result.cancelled = sink.cancelled();
  const Status flushed = writer.flush();
  (void)writer.set_session_integrity(*session, integrity_json(import_integrity(result.report)));
  result.committed = writer.stats().exchanges - committed_before;

  if (!flushed.is_ok() || result.cancelled) {
    // What was committed before stays; the session says why it ended.
    const std::string why = result.cancelled ? std::string("cancelled") : flushed.message();
    if (!flushed.is_ok()) result.storage_error = flushed.message();
    if (result.cancelled) result.report.fatal.reset();  // "cancelled" says it
    if (Status s = writer.finish_session(*session, session_status::failed,
                                         why + "; " + std::to_string(result.committed) + " exchanges stored");
        !s.is_ok() && !result.storage_error)
      result.storage_error = s.message();
    return result;
  }
  if (result.report.stored == 0 && !result.report.clean()) {
    // Nothing usable: leave no trace of the attempt in the database.
    (void)writer.delete_session(*session);
    result.session_id = 0;
    return result;
  }
  const std::optional<std::string> error =
      result.report.clean() ? std::nullopt : std::optional<std::string>(summary_of(result.report));
  if (Status s = writer.finish_session(*session, session_status::imported, error); !s.is_ok())
    result.storage_error = s.message();
  return result;
}

Result<FileImportResult> import_file(const std::string& db_path, const std::string& path,
                                     const FileImportOptions& options) {
  auto writer = Writer::open(db_path, bulk_import_writer_options(options.max_body_bytes));
  if (!writer.is_ok()) return writer.status();
  auto imported = import_file(**writer, path, options);
  const Status closed = (*writer)->close();
  if (imported.is_ok() && !closed.is_ok() && !imported->storage_error) imported->storage_error = closed.message();
  return imported;
}

}  // namespace trafficdb
