#include "cli/record_command.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/duration.h"
#include "cli/exit_codes.h"
#include "cli/stop_signals.h"
#include "cli/command_support.h"
#include "common/timestamp.h"
#include "recorder/charles/charles_live_recorder.h"
#include "recorder/httptoolkit/httptoolkit_recorder.h"
#include "recorder/pcap/pcap_live_recorder.h"
#include "recorder/url.h"
#include "store/writer.h"

namespace trafficdb {
namespace {

// What every `record` subcommand takes.
struct RecordArgs {
  std::string duration;
  std::string name;
  std::uint64_t max_body_bytes = 32u << 20;
};

struct CharlesArgs : RecordArgs {
  std::string proxy = "http://127.0.0.1:8888";
  std::string user;
  std::string password;
  std::string interval = "2s";
  bool clear_first = false;
  bool start_recording = false;
};

struct PcapArgs : RecordArgs {
  std::string interface;
  std::string filter;
  std::uint64_t max_exchanges = 0;
  int snaplen = 262144;
  bool promiscuous = false;
};

struct HttpToolkitArgs : RecordArgs {
  std::string admin = "http://127.0.0.1:45456";
  std::string attach;   // a session id, or "auto"
  int listen = -1;      // the proxy port of our own session (0: any free port); -1: not listening
  std::string https_cert, https_key;
  std::size_t max_open = 10000;
};

void log_line(const std::string& line) { log_with_time("trafficdb", line); }

void add_record_options(CLI::App* cmd, RecordArgs& args, const std::string& default_name) {
  cmd->add_option("--duration", args.duration, "Stop after this long (e.g. 30s, 10m, 2h); default: until Ctrl-C");
  cmd->add_option("--name", args.name, "Session name (default: " + default_name + " and the start time)");
  cmd->add_option("--max-body", args.max_body_bytes, "Keep at most this many decoded bytes of each body")
      ->check(CLI::Range(std::uint64_t{1024}, std::uint64_t{512u << 20}))
      ->capture_default_str();
}

// A recording in progress: its writer and session, from start to finish.
class Recording {
 public:
  // Fails (saying why on stderr) when --duration is wrong or the database
  // or the session cannot be opened; exit_status() says with what.
  bool open(const CliContext& context, const RecordArgs& args, const std::string& default_name,
            std::string_view source, const std::string& source_detail, const nlohmann::json& options) {
    auto duration = args.duration.empty() ? Result<std::chrono::milliseconds>(std::chrono::milliseconds(0))
                                          : parse_duration(args.duration);
    if (!duration.is_ok()) {
      std::cerr << "trafficdb: --duration: " << duration.status().message() << '\n';
      exit_status_ = exit_code::usage;
      return false;
    }
    if (!args.duration.empty()) duration_ = *duration;
    WriterOptions writer_options;
    writer_options.max_body_bytes = args.max_body_bytes;
    auto writer = Writer::open(context.db_path(), writer_options);
    if (!writer.is_ok()) {
      std::cerr << "trafficdb: " << writer.status().message() << '\n';
      return false;
    }
    writer_ = std::move(writer).value();
    const std::string name =
        args.name.empty() ? default_name + " " + format_human_time(now_micros()).substr(0, 19) : args.name;
    auto session =
        writer_->create_session({name, source, source_detail, session_status::recording, options.dump()});
    if (!session.is_ok()) {
      std::cerr << "trafficdb: " << session.status().message() << '\n';
      return false;
    }
    session_ = *session;
    sink_ = writer_->sink(session_);
    return true;
  }

  ExchangeSink& sink() { return *sink_; }
  std::int64_t session() const { return session_; }
  std::optional<std::chrono::milliseconds> duration() const { return duration_; }
  int exit_status() const { return exit_status_; }

  // The recorder did not start: the session is removed, nothing was recorded.
  int abandon(const Status& why) {
    std::cerr << "trafficdb: " << why.message() << '\n';
    (void)writer_->delete_session(session_);
    (void)writer_->close();
    return exit_code::unusable;
  }

  // Ends the session as stopped (or failed, with `stopped`'s error or the
  // writer's) and says `summary`.
  int finish(const Status& stopped, std::uint64_t stored, const std::string& summary) {
    const Status flushed = writer_->flush();
    const Status failure = !stopped.is_ok() ? stopped : flushed;
    (void)writer_->finish_session(session_, failure.is_ok() ? session_status::stopped : session_status::failed,
                                  failure.is_ok() ? std::nullopt : std::optional<std::string>(failure.message()));
    (void)writer_->close();
    log_line("stopped: " + std::to_string(stored) + " exchanges stored in session " + std::to_string(session_) +
             "; " + summary);
    if (failure.is_ok()) return exit_code::ok;
    std::cerr << "trafficdb: " << failure.message() << '\n';
    return stored > 0 ? exit_code::stored_with_errors : exit_code::unusable;
  }

 private:
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<ExchangeSink> sink_;
  std::int64_t session_ = 0;
  std::optional<std::chrono::milliseconds> duration_;
  int exit_status_ = exit_code::unusable;
};

int record_pcap(const CliContext& context, const PcapArgs& args) {
  StopSignals signals;  // before any thread starts
  const nlohmann::json options = {{"interface", args.interface}, {"filter", args.filter},
                                  {"snaplen", args.snaplen},     {"promiscuous", args.promiscuous},
                                  {"max_exchanges", args.max_exchanges}};
  Recording recording;
  if (!recording.open(context, args, "pcap " + args.interface, session_source::pcap_live, args.interface, options))
    return recording.exit_status();

  PcapLiveOptions live;
  live.interface = args.interface;
  live.filter = args.filter;
  live.snaplen = args.snaplen;
  live.promiscuous = args.promiscuous;
  if (args.max_exchanges > 0) live.max_exchanges = args.max_exchanges;
  live.capture.http.max_body_bytes = args.max_body_bytes;
  live.log = log_line;
  PcapLiveRecorder recorder(live, recording.sink());
  if (Status s = recorder.start(); !s.is_ok()) return recording.abandon(s);
  log_line("capturing on " + args.interface + (args.filter.empty() ? "" : " (" + args.filter + ")") +
           " into session " + std::to_string(recording.session()) + " of " + context.db_path() +
           (recording.duration() ? "" : "; Ctrl-C stops"));
  signals.wait(recording.duration(), [&] { return recorder.done(); });

  const Status stopped = recorder.stop();
  const PcapLiveStats stats = recorder.stats();
  if (stats.kernel_dropped > 0)
    log_line("the kernel dropped packets: exchanges on those connections may be incomplete; a narrower --filter "
             "helps");
  return recording.finish(stopped, stats.exchanges,
                          std::to_string(stats.packets) + " packets read; kernel: " +
                              std::to_string(stats.kernel_received) + " received, " +
                              std::to_string(stats.kernel_dropped) + " dropped, " +
                              std::to_string(stats.interface_dropped) + " dropped by the interface");
}

int record_charles(const CliContext& context, const CharlesArgs& args) {
  auto interval = parse_duration(args.interval);
  if (!interval.is_ok() || interval->count() < 100) {
    std::cerr << "trafficdb: --interval: " << (interval.is_ok() ? "at least 100ms" : interval.status().message()) << '\n';
    return exit_code::usage;
  }
  {
    std::string proxy = args.proxy;
    if (proxy.find("://") == std::string::npos) proxy = "http://" + proxy;
    auto parts = parse_url(proxy);
    if (!parts.is_ok() || parts->scheme != "http" || parts->path != "/") {
      std::cerr << "trafficdb: bad --proxy '" << args.proxy << "': give Charles's proxy as http://HOST:PORT\n";
      return exit_code::usage;
    }
  }
  StopSignals signals;  // before any thread starts
  const nlohmann::json options = {{"proxy", args.proxy},
                                  {"user", args.user},
                                  {"interval_ms", interval->count()},
                                  {"clear_first", args.clear_first},
                                  {"start_recording", args.start_recording}};
  Recording recording;
  if (!recording.open(context, args, "charles", session_source::charles_live, args.proxy, options))
    return recording.exit_status();

  CharlesLiveOptions live;
  live.proxy = args.proxy;
  live.user = args.user;
  live.password = args.password;
  live.interval = *interval;
  live.clear_first = args.clear_first;
  live.start_recording = args.start_recording;
  live.max_body_bytes = args.max_body_bytes;
  live.log = log_line;
  CharlesLiveRecorder recorder(live, recording.sink());
  if (Status s = recorder.start(); !s.is_ok()) return recording.abandon(s);
  log_line("recording Charles at " + args.proxy + " into session " + std::to_string(recording.session()) + " of " +
           context.db_path() + (recording.duration() ? "" : "; Ctrl-C stops"));
  signals.wait(recording.duration(), [&] { return recorder.failed(); });

  const Status stopped = recorder.stop();
  const CharlesLiveStats stats = recorder.stats();
  return recording.finish(stopped, stats.stored,
                          std::to_string(stats.polls) + " polls (" + std::to_string(stats.failed_polls) +
                              " failed), " + std::to_string(stats.clears) + " session clears seen");
}

// A PEM file's text, for --https-cert/--https-key.
Result<std::string> read_pem(const std::string& path, const char* option) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::error(std::string(option) + ": cannot read " + path);
  if (text.str().find("-----BEGIN ") == std::string::npos)
    return Status::error(std::string(option) + ": " + path + " is not a PEM file");
  return text.str();
}

int record_httptoolkit(const CliContext& context, const HttpToolkitArgs& args) {
  HttpToolkitOptions live;
  live.admin_url = args.admin;
  if (args.listen >= 0) {
    live.mode = HttpToolkitMode::listen;
    live.listen_port = args.listen;
  } else if (!args.attach.empty() && args.attach != "auto") {
    live.mode = HttpToolkitMode::attach;
    live.session_id = args.attach;
    if (!is_session_id(args.attach)) {
      std::cerr << "trafficdb: --attach: '" << args.attach << "' is not a Mockttp session id (nor 'auto')\n";
      return exit_code::usage;
    }
  }
  if (auto admin = MockttpAdminClient::for_url(args.admin); !admin.is_ok()) {
    std::cerr << "trafficdb: --admin: " << admin.status().message() << '\n';
    return exit_code::usage;
  }
  if (!args.https_cert.empty() || !args.https_key.empty()) {
    auto cert = read_pem(args.https_cert, "--https-cert");
    auto key = read_pem(args.https_key, "--https-key");
    for (const Status& s : {cert.status(), key.status()})
      if (!s.is_ok()) {
        std::cerr << "trafficdb: " << s.message() << '\n';
        return exit_code::usage;
      }
    live.https = {{"cert", *cert}, {"key", *key}};
  }
  live.max_body_bytes = args.max_body_bytes;
  live.max_open = args.max_open;
  live.log = log_line;

  StopSignals signals;  // before any thread starts
  const char* mode = live.mode == HttpToolkitMode::listen   ? "listen"
                     : live.mode == HttpToolkitMode::attach ? "attach"
                                                            : "attach-auto";
  nlohmann::json options = {{"admin", args.admin}, {"mode", mode}, {"max_open", args.max_open}};
  if (live.mode == HttpToolkitMode::attach) options["session"] = args.attach;
  if (live.mode == HttpToolkitMode::listen) {
    options["listen_port"] = args.listen;
    options["https"] = !live.https.is_null();
  }
  Recording recording;
  if (!recording.open(context, args, "httptoolkit", session_source::httptoolkit, args.admin, options))
    return recording.exit_status();

  HttpToolkitRecorder recorder(live, recording.sink());
  if (Status s = recorder.start(); !s.is_ok()) return recording.abandon(s);
  const HttpToolkitStats started = recorder.stats();
  log_line("recording Mockttp session " + started.session_id + " at " + args.admin + " into session " +
           std::to_string(recording.session()) + " of " + context.db_path() +
           (live.mode == HttpToolkitMode::listen
                ? "; send traffic through the proxy http://127.0.0.1:" + std::to_string(started.proxy_port)
                : "") +
           (recording.duration() ? "" : "; Ctrl-C stops"));
  signals.wait(recording.duration(), [&] { return recorder.failed(); });

  const Status stopped = recorder.stop();
  const HttpToolkitStats stats = recorder.stats();
  return recording.finish(
      stopped, stats.stored,
      std::to_string(stats.events) + " events; " + std::to_string(stats.reconnects) + " reconnections (" +
          std::to_string(stats.disconnected_micros / 1000) + " ms without a subscription); " +
          std::to_string(stats.evicted) + " stored early to stay within --max-open, " +
          std::to_string(stats.unmatched) + " events without their request, " + std::to_string(stats.late) +
          " late, " + std::to_string(stats.unreadable) + " unreadable");
}

}  // namespace

void add_record_command(CLI::App& app, const CliContext& context, int& exit_status) {
  CLI::App* record = app.add_subcommand("record", "Record live traffic into a new session until stopped");
  record->require_subcommand(1);
  record->footer("The session's status is 'recording' while it runs and 'stopped' after (Ctrl-C, SIGTERM or\n"
                 "--duration). Rows appear in the database within a second of each exchange completing.\n");

  auto args = std::make_shared<CharlesArgs>();
  CLI::App* charles = record->add_subcommand("charles", "Record what Charles Proxy sees, through its Web Interface");
  charles->footer(
      "Charles must have its Web Interface on: Proxy > Web Interface Settings > 'Enable web interface',\n"
      "with a user (pass it as --user/--password). trafficdb polls the whole session export through\n"
      "Charles's proxy port, stores each transaction once when Charles has finished it, skips its own\n"
      "control.charles requests, notices when the session is cleared, and never clears it unless\n"
      "--clear-first is given. A lost connection is retried with backoff; stored rows stay.\n\n"
      "Example: trafficdb record charles --user admin --password secret --duration 10m");
  charles->add_option("--proxy", args->proxy, "Charles's proxy address")->capture_default_str();
  charles->add_option("--user", args->user, "Web Interface user");
  charles->add_option("--password", args->password, "Web Interface password");
  charles->add_option("--interval", args->interval, "Time between polls (e.g. 500ms, 2s)")->capture_default_str();
  charles->add_flag("--clear-first", args->clear_first, "Clear Charles's session before recording");
  charles->add_flag("--start-recording", args->start_recording, "Start Charles's recording if it is stopped");
  add_record_options(charles, *args, "'charles'");
  charles->callback([&context, &exit_status, args] { exit_status = record_charles(context, *args); });

  auto pcap_args = std::make_shared<PcapArgs>();
  CLI::App* pcap = record->add_subcommand("pcap", "Capture packets from a network interface (libpcap)");
  pcap->footer(
      "Reassembles TCP and reads HTTP/1.x on every port (HTTP is recognised by content); each exchange\n"
      "is stored when its response is over. TLS is not decrypted. Capturing needs root, or once:\n"
      "  sudo setcap cap_net_raw,cap_net_admin+eip $(command -v trafficdb)\n"
      "When it stops, requests still unanswered are stored with an error, and the kernel's drop count\n"
      "is reported.\n\n"
      "Example: trafficdb record pcap --interface lo --filter 'tcp port 8080' --duration 5m");
  pcap->add_option("-i,--interface", pcap_args->interface, "Interface to capture on ('any' for all)")->required();
  pcap->add_option("-f,--filter", pcap_args->filter, "BPF capture filter, as tcpdump takes it (e.g. 'tcp port 80')");
  pcap->add_option("--max-exchanges", pcap_args->max_exchanges, "Stop after storing this many exchanges")
      ->check(CLI::PositiveNumber);
  pcap->add_option("--snaplen", pcap_args->snaplen, "Bytes captured of each packet")
      ->check(CLI::Range(128, 262144))
      ->capture_default_str();
  pcap->add_flag("--promiscuous", pcap_args->promiscuous, "Put the interface in promiscuous mode");
  add_record_options(pcap, *pcap_args, "'pcap', the interface");
  pcap->callback([&context, &exit_status, pcap_args] { exit_status = record_pcap(context, *pcap_args); });

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
  htk->add_option("--admin", htk_args->admin, "Mockttp's admin server")->capture_default_str();
  auto* attach = htk->add_option("--attach", htk_args->attach, "Session to record: an id, or 'auto' (the default)");
  auto* listen = htk->add_option("--listen", htk_args->listen, "Start a pass-through proxy session on this port")
                     ->check(CLI::Range(0, 65535));
  attach->excludes(listen);
  auto* cert = htk->add_option("--https-cert", htk_args->https_cert, "With --listen: CA certificate (PEM) for HTTPS")
                   ->check(CLI::ExistingFile)
                   ->needs(listen);
  auto* key = htk->add_option("--https-key", htk_args->https_key, "With --listen: the CA's private key (PEM)")
                  ->check(CLI::ExistingFile)
                  ->needs(listen);
  cert->needs(key);
  key->needs(cert);
  htk->add_option("--max-open", htk_args->max_open,
                  "Requests and WebSockets kept open awaiting their end; past it the oldest is stored with an error")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  add_record_options(htk, *htk_args, "'httptoolkit'");
  htk->callback([&context, &exit_status, htk_args] { exit_status = record_httptoolkit(context, *htk_args); });
}

}  // namespace trafficdb
