// Plain configs for the live sources, and the one factory that builds a
// LiveSource from them.
//
// The configs hold only values a person or an agent gives (no callbacks but
// the log, no library types), so the CLI and the MCP server turn their
// arguments into one and know nothing else of the recorders. The factory
// checks the config (an address that is not one, a bad Mockttp session id,
// an unreadable certificate, ...) and fails with Status::invalid_input
// naming the field before anything starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "model/exchange_sink.h"
#include "recorder/live_source.h"

namespace trafficdb {

// Packets from a network interface (libpcap).
struct PcapSourceConfig {
  std::string interface;  // "lo", "eth0", "any"
  std::string filter;     // BPF, as tcpdump takes it; "" = everything
  int snaplen = 262144;
  bool promiscuous = false;
  // TLS key logs to decrypt with, followed while capturing; empty = the
  // file SSLKEYLOGFILE names, if set.
  std::vector<std::string> key_log_files;
};

// Charles Proxy, through its Web Interface.
struct CharlesSourceConfig {
  std::string proxy = "http://127.0.0.1:8888";  // Charles's proxy address (scheme optional)
  std::string user;
  std::string password;  // never written anywhere by trafficdb
  std::chrono::milliseconds interval{2000};  // between polls; at least 100 ms
  bool clear_first = false;
  bool start_recording = false;
};

// HTTP Toolkit, or any Mockttp admin server.
struct HttpToolkitSourceConfig {
  std::string admin_url = "http://127.0.0.1:45456";
  std::string attach = "auto";      // a Mockttp session id, or "auto" (HTTP Toolkit's own)
  std::optional<int> listen_port;   // instead of attach: a pass-through proxy of our own (0: any port)
  std::string https_cert_file;      // with listen_port: a CA (PEM) to read HTTPS with, and its key
  std::string https_key_file;
  std::size_t max_open = 10000;     // requests and WebSockets kept open awaiting their end
};

using SourceSettings = std::variant<PcapSourceConfig, CharlesSourceConfig, HttpToolkitSourceConfig>;

struct LiveSourceConfig {
  SourceSettings source;
  std::uint64_t max_body_bytes = 32u << 20;  // decoded bytes kept per body
  // Where the source says what it is doing (a line, no newline). May be empty.
  std::function<void(const std::string&)> log;
  // Wait for a source that cannot be reached, or fails, and retry with
  // backoff (1 s doubling up to max_wait_backoff) instead of failing
  // (recorder/waiting_source.h).
  bool wait_for_source = false;
  std::chrono::milliseconds max_wait_backoff{30000};
};

// "pcap", "charles" or "httptoolkit".
std::string_view source_kind(const SourceSettings& source);

// Where it records from: the interface, Charles's proxy, the admin URL.
std::string source_address(const SourceSettings& source);

// The config as a JSON object (text), secrets left out: what a session's
// options column keeps.
std::string source_options_json(const LiveSourceConfig& config);

// Checks `config` and builds its source, not yet started; with
// wait_for_source, a WaitingSource around it. `sink` must outlive the source.
Result<std::unique_ptr<LiveSource>> make_live_source(const LiveSourceConfig& config, ExchangeSink& sink);

}  // namespace trafficdb
