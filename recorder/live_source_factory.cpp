#include "recorder/live_source_factory.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "recorder/charles/charles_live_recorder.h"
#include "recorder/httptoolkit/httptoolkit_recorder.h"
#include "recorder/pcap/pcap_live_recorder.h"
#include "recorder/tls/key_log_file.h"
#include "recorder/url.h"
#include "recorder/waiting_source.h"

namespace trafficdb {
namespace {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};

// A PEM file's text, for the HTTPS certificate and key.
Result<std::string> read_pem(const std::string& path, const char* field) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::invalid_input(std::string(field) + ": cannot read " + path);
  if (text.str().find("-----BEGIN ") == std::string::npos)
    return Status::invalid_input(std::string(field) + ": " + path + " is not a PEM file");
  return text.str();
}

Result<std::unique_ptr<LiveSource>> make_pcap(const PcapSourceConfig& c, const LiveSourceConfig& config,
                                              ExchangeSink& sink) {
  if (c.interface.empty())
    return Status::invalid_input("a pcap capture needs an interface (lo, eth0, any; 'ip link' lists them)");
  if (c.snaplen < 128 || c.snaplen > 262144)
    return Status::invalid_input("snaplen " + std::to_string(c.snaplen) + " is outside 128..262144");
  PcapLiveOptions options;
  options.interface = c.interface;
  options.filter = c.filter;
  options.snaplen = c.snaplen;
  options.promiscuous = c.promiscuous;
  options.capture.http.max_body_bytes = config.max_body_bytes;
  options.capture.http2.max_body_bytes = config.max_body_bytes;
  options.capture.key_log_files = key_log_paths(c.key_log_files);
  options.log = config.log;
  return std::unique_ptr<LiveSource>(std::make_unique<PcapLiveRecorder>(std::move(options), sink));
}

Result<std::unique_ptr<LiveSource>> make_charles(const CharlesSourceConfig& c, const LiveSourceConfig& config,
                                                 ExchangeSink& sink) {
  if (c.interval < std::chrono::milliseconds(100))
    return Status::invalid_input("the poll interval must be at least 100ms");
  std::string proxy = c.proxy;
  if (proxy.find("://") == std::string::npos) proxy = "http://" + proxy;
  auto parts = parse_url(proxy);
  if (!parts.is_ok() || parts->scheme != "http" || parts->path != "/")
    return Status::invalid_input("bad proxy address '" + c.proxy + "': give Charles's proxy as http://HOST:PORT");
  CharlesLiveOptions options;
  options.proxy = c.proxy;
  options.user = c.user;
  options.password = c.password;
  options.interval = c.interval;
  options.clear_first = c.clear_first;
  options.start_recording = c.start_recording;
  options.max_body_bytes = config.max_body_bytes;
  options.log = config.log;
  return std::unique_ptr<LiveSource>(std::make_unique<CharlesLiveRecorder>(std::move(options), sink));
}

Result<std::unique_ptr<LiveSource>> make_httptoolkit(const HttpToolkitSourceConfig& c,
                                                     const LiveSourceConfig& config, ExchangeSink& sink) {
  HttpToolkitOptions options;
  if (auto admin = MockttpAdminClient::for_url(c.admin_url); !admin.is_ok())
    return Status::invalid_input("admin URL: " + admin.status().message());
  options.admin_url = c.admin_url;
  if (c.listen_port) {
    if (!c.attach.empty() && c.attach != "auto")
      return Status::invalid_input("give either a session to attach to or a port to listen on, not both");
    if (*c.listen_port < 0 || *c.listen_port > 65535)
      return Status::invalid_input("listen port " + std::to_string(*c.listen_port) + " is outside 0..65535");
    options.mode = HttpToolkitMode::listen;
    options.listen_port = *c.listen_port;
  } else if (c.attach.empty() || c.attach == "auto") {
    options.mode = HttpToolkitMode::attach_auto;
  } else {
    if (!is_session_id(c.attach))
      return Status::invalid_input("'" + c.attach + "' is not a Mockttp session id (nor 'auto')");
    options.mode = HttpToolkitMode::attach;
    options.session_id = c.attach;
  }
  if (!c.https_cert_file.empty() || !c.https_key_file.empty()) {
    if (!c.listen_port)
      return Status::invalid_input("an HTTPS certificate is only used with a port to listen on");
    if (c.https_cert_file.empty() || c.https_key_file.empty())
      return Status::invalid_input("HTTPS needs both a CA certificate and its key");
    auto cert = read_pem(c.https_cert_file, "HTTPS certificate");
    if (!cert.is_ok()) return cert.status();
    auto key = read_pem(c.https_key_file, "HTTPS key");
    if (!key.is_ok()) return key.status();
    options.https = {{"cert", *cert}, {"key", *key}};
  }
  if (c.max_open < 1) return Status::invalid_input("max_open must be at least 1");
  options.max_open = c.max_open;
  options.max_body_bytes = config.max_body_bytes;
  options.log = config.log;
  return std::unique_ptr<LiveSource>(std::make_unique<HttpToolkitRecorder>(std::move(options), sink));
}

}  // namespace

std::string_view source_kind(const SourceSettings& source) {
  return std::visit(overloaded{[](const PcapSourceConfig&) { return std::string_view("pcap"); },
                               [](const CharlesSourceConfig&) { return std::string_view("charles"); },
                               [](const HttpToolkitSourceConfig&) { return std::string_view("httptoolkit"); }},
                    source);
}

std::string source_address(const SourceSettings& source) {
  return std::visit(overloaded{[](const PcapSourceConfig& c) { return c.interface; },
                               [](const CharlesSourceConfig& c) { return c.proxy; },
                               [](const HttpToolkitSourceConfig& c) { return c.admin_url; }},
                    source);
}

std::string source_options_json(const LiveSourceConfig& config) {
  nlohmann::json out = std::visit(
      overloaded{
          [](const PcapSourceConfig& c) {
            return nlohmann::json{{"interface", c.interface},
                                  {"filter", c.filter},
                                  {"snaplen", c.snaplen},
                                  {"promiscuous", c.promiscuous},
                                  {"key_log_files", key_log_paths(c.key_log_files)}};
          },
          [](const CharlesSourceConfig& c) {
            return nlohmann::json{{"proxy", c.proxy},
                                  {"user", c.user},
                                  {"interval_ms", c.interval.count()},
                                  {"clear_first", c.clear_first},
                                  {"start_recording", c.start_recording}};
          },
          [](const HttpToolkitSourceConfig& c) {
            nlohmann::json j = {{"admin", c.admin_url}, {"max_open", c.max_open}};
            if (c.listen_port) {
              j["mode"] = "listen";
              j["listen_port"] = *c.listen_port;
              j["https"] = !c.https_cert_file.empty();
            } else if (c.attach.empty() || c.attach == "auto") {
              j["mode"] = "attach-auto";
            } else {
              j["mode"] = "attach";
              j["session"] = c.attach;
            }
            return j;
          }},
      config.source);
  out["max_body_bytes"] = config.max_body_bytes;
  if (config.wait_for_source) out["wait"] = true;
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::unique_ptr<LiveSource>> make_live_source(const LiveSourceConfig& config, ExchangeSink& sink) {
  auto source = std::visit(
      overloaded{[&](const PcapSourceConfig& c) { return make_pcap(c, config, sink); },
                 [&](const CharlesSourceConfig& c) { return make_charles(c, config, sink); },
                 [&](const HttpToolkitSourceConfig& c) { return make_httptoolkit(c, config, sink); }},
      config.source);
  if (!source.is_ok() || !config.wait_for_source) return source;
  if (config.max_wait_backoff < std::chrono::seconds(1)) {
    return Status::invalid_input("max_wait_backoff must be at least 1 s");
  }
  LiveSourceConfig each = config;
  each.wait_for_source = false;
  WaitingSourceOptions waiting;
  waiting.max_backoff = config.max_wait_backoff;
  waiting.describe_waiting = std::string(source_kind(config.source)) + " at " + source_address(config.source);
  waiting.log = config.log;
  return std::unique_ptr<LiveSource>(std::make_unique<WaitingSource>(
      std::move(source).value(), [each, &sink] { return make_live_source(each, sink); }, std::move(waiting)));
}

}  // namespace trafficdb
