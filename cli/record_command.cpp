#include "cli/record_command.h"

#include <iostream>
#include <memory>

#include "cli/command_support.h"
#include "cli/exit_codes.h"
#include "cli/prune_report.h"
#include "cli/stop_signals.h"
#include "common/duration.h"
#include "ingest/live_recording.h"

namespace trafficdb {
namespace {

// What every `record` subcommand takes.
struct RecordArgs {
  std::string duration;
  std::string name;
  std::uint64_t max_exchanges = 0;
  std::uint64_t max_body_bytes = 32u << 20;
  bool wait = false;
  std::string retention_every = "30s";
};

struct CharlesArgs : RecordArgs {
  CharlesSourceConfig source;
  std::string interval = "2s";
};

struct PcapArgs : RecordArgs {
  PcapSourceConfig source;
};

struct HttpToolkitArgs : RecordArgs {
  HttpToolkitSourceConfig source;
  int listen = -1;  // the proxy port of our own session (0: any free port); -1: not listening
};

void log_line(const std::string& line) { log_with_time("trafficdb", line); }

// Logs each retention round that removed or gave back something, and a
// failure when it first happens (not again each round while it lasts).
RetentionKeeper::RoundObserver retention_log() {
  auto last_error = std::make_shared<std::string>();
  return [last_error](const Result<PruneReport>& round) {
    if (!round.is_ok()) {
      if (round.status().message() != *last_error)
        log_line("retention round failed (tried again at the next): " + round.status().message());
      *last_error = round.status().message();
      return;
    }
    last_error->clear();
    const PruneReport& r = *round;
    if (r.exchanges > 0 || r.bytes_given_back > 0 || r.index_merges > 0) log_line("retention: " + prune_report_line(r));
  };
}

void add_record_options(CLI::App* cmd, RecordArgs& args, const std::string& default_name) {
  cmd->add_option("--duration", args.duration, "Stop after this long (e.g. 30s, 10m, 2h); default: until Ctrl-C");
  cmd->add_option("--max-exchanges", args.max_exchanges, "Stop after storing this many exchanges")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--name", args.name, "Session name (default: " + default_name + " and the start time)");
  cmd->add_option("--max-body", args.max_body_bytes, "Keep at most this many decoded bytes of each body")
      ->check(CLI::Range(std::uint64_t{1024}, std::uint64_t{512u << 20}))
      ->capture_default_str();
  cmd->add_flag("--wait", args.wait,
                "When the source is not there yet, or goes away, wait and retry (1 s, doubling up to 30 s) "
                "instead of exiting; each wait is logged and counted in the session's integrity");
  cmd->add_option("--retention-every", args.retention_every,
                  "How often the database's retention policy (trafficdb retention) is applied while recording")
      ->capture_default_str();
}

// Records `source` until Ctrl-C, SIGTERM, --duration, --max-exchanges, or
// a failure; says what happened and returns the exit status.
int record_until_stopped(const CliContext& context, const RecordArgs& args, SourceSettings source) {
  LiveRecordingOptions options;
  if (!args.duration.empty()) {
    auto duration = parse_duration(args.duration);
    if (!duration.is_ok()) {
      std::cerr << "trafficdb: --duration: " << duration.status().message() << '\n';
      return exit_code::usage;
    }
    options.duration = *duration;
  }
  auto retention_every = parse_duration(args.retention_every);
  if (!retention_every.is_ok() || retention_every->count() < 100) {
    std::cerr << "trafficdb: --retention-every: "
              << (retention_every.is_ok() ? "must be at least 100ms" : retention_every.status().message()) << '\n';
    return exit_code::usage;
  }
  options.retention_interval = *retention_every;
  options.on_retention_round = retention_log();
  if (args.max_exchanges > 0) options.max_exchanges = args.max_exchanges;
  options.db_path = context.db_path();
  options.name = args.name;
  options.source.source = std::move(source);
  options.source.max_body_bytes = args.max_body_bytes;
  options.source.log = log_line;
  options.source.wait_for_source = args.wait;

  StopSignals signals;  // before any thread starts
  auto recording = LiveRecording::start(std::move(options));
  if (!recording.is_ok()) {
    std::cerr << "trafficdb: " << recording.status().message() << '\n';
    return recording.status().is(Status::Code::invalid_input) ? exit_code::usage : exit_code::unusable;
  }
  LiveRecording& r = **recording;
  log_line(r.describe() + " into session " + std::to_string(r.session_id()) + " of " + context.db_path() +
           (args.duration.empty() ? "; Ctrl-C or SIGTERM stops" : ""));
  signals.wait(std::nullopt, [&] { return r.due(); });

  const RecordingEnd end = r.stop();
  log_line("stopped: " + std::to_string(end.exchanges) + " exchanges stored in session " +
           std::to_string(end.session_id) + "; " + end.summary);
  const Status& failure = !end.failure.is_ok() ? end.failure : end.ended;
  if (failure.is_ok()) return exit_code::ok;
  std::cerr << "trafficdb: " << failure.message() << '\n';
  return end.exchanges > 0 ? exit_code::stored_with_errors : exit_code::unusable;
}

int record_charles(const CliContext& context, CharlesArgs& args) {
  auto interval = parse_duration(args.interval);
  if (!interval.is_ok()) {
    std::cerr << "trafficdb: --interval: " << interval.status().message() << '\n';
    return exit_code::usage;
  }
  args.source.interval = *interval;
  return record_until_stopped(context, args, args.source);
}

int record_httptoolkit(const CliContext& context, HttpToolkitArgs& args) {
  if (args.listen >= 0) {
    args.source.listen_port = args.listen;
    args.source.attach.clear();
  }
  return record_until_stopped(context, args, args.source);
}

}  // namespace

void add_record_command(CLI::App& app, const CliContext& context, int& exit_status) {
  CLI::App* record = app.add_subcommand("record", "Record live traffic into a new session until stopped");
  record->require_subcommand(1);
  record->footer("The session's status is 'recording' while it runs and 'stopped' after (Ctrl-C, SIGTERM or\n"
                 "--duration): on SIGTERM, as on Ctrl-C, every exchange queued is committed first. Rows appear\n"
                 "in the database within a second of each exchange completing. Logs go to stderr, one line\n"
                 "per event. With --wait, a source that is not there yet (Charles or HTTP Toolkit not started,\n"
                 "no such interface) or goes away is waited for and retried with backoff instead of ending the\n"
                 "recording; the session's integrity counts the waits (source_waits, source_wait_ms).\n"
                 "While it runs, the database's retention policy (trafficdb retention) is applied every\n"
                 "--retention-every, removing the oldest exchanges, this session's included.\n"
                 "To record as a systemd user service: trafficdb-record@.service (docs/service.md).\n");

  auto args = std::make_shared<CharlesArgs>();
  CLI::App* charles = record->add_subcommand("charles", "Record what Charles Proxy sees, through its Web Interface");
  charles->footer(
      "Charles must have its Web Interface on: Proxy > Web Interface Settings > 'Enable web interface',\n"
      "with a user (pass it as --user/--password). trafficdb polls the whole session export through\n"
      "Charles's proxy port, stores each transaction once when Charles has finished it, skips its own\n"
      "control.charles requests, notices when the session is cleared, and never clears it unless\n"
      "--clear-first is given. A lost connection is retried with backoff; stored rows stay.\n\n"
      "Example: trafficdb record charles --user admin --password secret --duration 10m");
  charles->add_option("--proxy", args->source.proxy, "Charles's proxy address")->capture_default_str();
  charles->add_option("--user", args->source.user, "Web Interface user");
  charles->add_option("--password", args->source.password, "Web Interface password");
  charles->add_option("--interval", args->interval, "Time between polls (e.g. 500ms, 2s)")->capture_default_str();
  charles->add_flag("--clear-first", args->source.clear_first, "Clear Charles's session before recording");
  charles->add_flag("--start-recording", args->source.start_recording, "Start Charles's recording if it is stopped");
  add_record_options(charles, *args, "'charles'");
  charles->callback([&context, &exit_status, args] { exit_status = record_charles(context, *args); });

  auto pcap_args = std::make_shared<PcapArgs>();
  CLI::App* pcap = record->add_subcommand("pcap", "Capture packets from a network interface (libpcap)");
  pcap->footer(
      "Reassembles TCP and reads HTTP/1.x, HTTP/2 and TLS on every port (recognised by content); each\n"
      "exchange is stored when its response is over. TLS is decrypted with the key log (--keylog, or\n"
      "SSLKEYLOGFILE); a TLS connection without keys is stored as one row saying so. Capturing needs\n"
      "root, or once:\n"
      "  sudo setcap cap_net_raw,cap_net_admin+eip $(command -v trafficdb)\n"
      "When it stops, requests still unanswered are stored with an error, and the kernel's drop count\n"
      "is reported.\n\n"
      "Example: trafficdb record pcap --interface lo --filter 'tcp port 8080' --duration 5m");
  pcap->add_option("-i,--interface", pcap_args->source.interface, "Interface to capture on ('any' for all)")->required();
  pcap->add_option("-f,--filter", pcap_args->source.filter, "BPF capture filter, as tcpdump takes it (e.g. 'tcp port 80')");
  pcap->add_option("--snaplen", pcap_args->source.snaplen, "Bytes captured of each packet")
      ->check(CLI::Range(128, 262144))
      ->capture_default_str();
  pcap->add_flag("--promiscuous", pcap_args->source.promiscuous, "Put the interface in promiscuous mode");
  pcap->add_option("--keylog", pcap_args->source.key_log_files,
                   "TLS key log to decrypt HTTPS with (what SSLKEYLOGFILE makes clients write), followed while "
                   "capturing; may be given more than once. Default: the file SSLKEYLOGFILE names, if set");
  add_record_options(pcap, *pcap_args, "'pcap', the interface");
  pcap->callback([&context, &exit_status, pcap_args] { exit_status = record_until_stopped(context, *pcap_args, pcap_args->source); });

  auto htk_args = std::make_shared<HttpToolkitArgs>();
  CLI::App* htk = record->add_subcommand("httptoolkit", "Record what HTTP Toolkit (or any Mockttp) proxies, live");
  htk->footer(
      "trafficdb subscribes to the events of a Mockttp session through its admin API, as HTTP Toolkit's\n"
      "own UI does, and stores each exchange when its response completes, or when it is aborted or fails\n"
      "(the error column says how). WebSocket messages are kept with their upgrade. A lost connection is\n"
      "retried with backoff and the gap is logged. When recording stops, requests still open are stored\n"
      "with an error.\n"
      "  --attach auto   (the default) the session HTTP Toolkit's UI runs, found from the files HTTP\n"
      "                  Toolkit writes under $TMPDIR/httptoolkit-webextension/config;\n"
      "  --attach ID     a session by id: everything HTTP Toolkit's interceptors catch;\n"
      "  --listen PORT   a pass-through proxy of our own on PORT (0: any free port), stopped on exit;\n"
      "                  point clients at it. --https-cert/--https-key (a CA, PEM) let it read HTTPS.\n"
      "HTTP Toolkit's admin server is http://127.0.0.1:45456; plain Mockttp's (mockttp -c ...) is 45454.\n\n"
      "Examples: trafficdb record httptoolkit --duration 1h\n"
      "          trafficdb record httptoolkit --admin http://127.0.0.1:45454 --listen 8000");
  htk->add_option("--admin", htk_args->source.admin_url, "Mockttp's admin server")->capture_default_str();
  auto* attach = htk->add_option("--attach", htk_args->source.attach, "Session to record: an id, or 'auto' (the default)");
  auto* listen = htk->add_option("--listen", htk_args->listen, "Start a pass-through proxy session on this port")
                     ->check(CLI::Range(0, 65535));
  attach->excludes(listen);
  auto* cert = htk->add_option("--https-cert", htk_args->source.https_cert_file, "With --listen: CA certificate (PEM) for HTTPS")
                   ->check(CLI::ExistingFile)
                   ->needs(listen);
  auto* key = htk->add_option("--https-key", htk_args->source.https_key_file, "With --listen: the CA's private key (PEM)")
                  ->check(CLI::ExistingFile)
                  ->needs(listen);
  cert->needs(key);
  key->needs(cert);
  htk->add_option("--max-open", htk_args->source.max_open,
                  "Requests and WebSockets kept open awaiting their end; past it the oldest is stored with an error")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  add_record_options(htk, *htk_args, "'httptoolkit'");
  htk->callback([&context, &exit_status, htk_args] { exit_status = record_httptoolkit(context, *htk_args); });
}

}  // namespace trafficdb
