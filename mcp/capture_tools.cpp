// Recording from MCP: starting and stopping live captures, and deleting a
// session.
#include "common/duration.h"
#include "mcp/context.h"
#include "mcp/tools.h"
#include "recorder/charles/charles_live_recorder.h"
#include "recorder/httptoolkit/httptoolkit_recorder.h"
#include "recorder/pcap/pcap_live_recorder.h"
#include "store/sessions.h"

namespace trafficdb::mcp {
namespace {

using json = nlohmann::json;
using T = ParamSpec::Type;

std::string text_or(const json& a, const char* name, const std::string& fallback) {
  return a.contains(name) ? a.at(name).get<std::string>() : fallback;
}

// Keeps a recorder alive as long as the registry holds the capture.
template <typename Recorder>
RunningRecorder running(std::shared_ptr<Recorder> recorder, std::function<std::uint64_t()> stored,
                        std::function<bool()> finished, std::function<std::string()> summary) {
  return {[recorder] { return recorder->stop(); }, std::move(stored), std::move(finished), std::move(summary)};
}

// For recorders without a limit of their own: finished once they failed or
// stored the max_exchanges asked for.
template <typename Recorder>
std::function<bool()> failed_or_at_limit(const std::shared_ptr<Recorder>& recorder, const json& a) {
  const std::optional<std::uint64_t> limit =
      a.contains("max_exchanges") ? std::optional<std::uint64_t>(a.at("max_exchanges").get<std::uint64_t>())
                                  : std::nullopt;
  return [recorder, limit] { return recorder->failed() || (limit && recorder->stats().stored >= *limit); };
}

Result<RunningRecorder> start_pcap(const json& a, ExchangeSink& sink) {
  if (!a.contains("interface"))
    return Status::error("a pcap capture needs argument 'interface'; for example {\"source\": \"pcap\", "
                         "\"interface\": \"lo\", \"filter\": \"tcp port 8080\"}");
  PcapLiveOptions options;
  options.interface = a.at("interface").get<std::string>();
  options.filter = text_or(a, "filter", "");
  options.snaplen = static_cast<int>(a.at("snaplen").get<std::int64_t>());
  if (a.contains("max_exchanges")) options.max_exchanges = a.at("max_exchanges").get<std::uint64_t>();
  auto recorder = std::make_shared<PcapLiveRecorder>(options, sink);
  if (Status s = recorder->start(); !s.is_ok()) return s;
  return running(
      recorder, [recorder] { return recorder->stats().exchanges; }, [recorder] { return recorder->done(); },
      [recorder] {
        const PcapLiveStats s = recorder->stats();
        return std::to_string(s.packets) + " packets, kernel dropped " + std::to_string(s.kernel_dropped);
      });
}

Result<RunningRecorder> start_charles(const json& a, ExchangeSink& sink) {
  CharlesLiveOptions options;
  options.proxy = text_or(a, "proxy", options.proxy);
  options.user = text_or(a, "user", "");
  options.password = text_or(a, "password", "");
  auto recorder = std::make_shared<CharlesLiveRecorder>(options, sink);
  if (Status s = recorder->start(); !s.is_ok()) return s;
  return running(
      recorder, [recorder] { return recorder->stats().stored; }, failed_or_at_limit(recorder, a),
      [recorder] {
        const CharlesLiveStats s = recorder->stats();
        return std::to_string(s.polls) + " polls (" + std::to_string(s.failed_polls) + " failed)";
      });
}

Result<RunningRecorder> start_httptoolkit(const json& a, ExchangeSink& sink) {
  HttpToolkitOptions options;
  options.admin_url = a.at("admin_url").get<std::string>();
  const std::string attach = text_or(a, "attach", "");
  if (a.contains("listen_port") && !attach.empty())
    return Status::error("give either 'attach' or 'listen_port', not both; for example {\"source\": "
                         "\"httptoolkit\", \"attach\": \"auto\"}");
  if (a.contains("listen_port")) {
    options.mode = HttpToolkitMode::listen;
    options.listen_port = static_cast<int>(a.at("listen_port").get<std::int64_t>());
  } else if (attach.empty() || attach == "auto") {
    options.mode = HttpToolkitMode::attach_auto;
  } else {
    options.mode = HttpToolkitMode::attach;
    options.session_id = attach;
  }
  auto recorder = std::make_shared<HttpToolkitRecorder>(options, sink);
  if (Status s = recorder->start(); !s.is_ok()) return s;
  return running(
      recorder, [recorder] { return recorder->stats().stored; }, failed_or_at_limit(recorder, a),
      [recorder] {
        const HttpToolkitStats s = recorder->stats();
        return "session " + s.session_id + (s.proxy_port ? ", proxy port " + std::to_string(s.proxy_port) : "") +
               ", " + std::to_string(s.events) + " events, " + std::to_string(s.reconnects) + " reconnects";
      });
}

ToolResult start_capture(ToolCall& call) {
  const json& a = call.arguments;
  const std::string source = a.at("source").get<std::string>();
  std::optional<std::chrono::milliseconds> duration;
  if (a.contains("duration")) {
    auto d = parse_duration(a.at("duration").get<std::string>());
    if (!d.is_ok())
      throw ToolError("argument 'duration': " + d.status().message() + "; for example {\"duration\": \"10m\"}");
    duration = *d;
  }
  json options = a;
  options.erase("password");
  const bool pcap = source == "pcap", charles = source == "charles";
  const std::string uri = pcap      ? text_or(a, "interface", "")
                          : charles ? text_or(a, "proxy", "http://127.0.0.1:8888")
                                    : a.at("admin_url").get<std::string>();
  const std::string name = text_or(a, "name", source + " " + uri);
  const std::string_view session_kind = pcap      ? session_source::pcap_live
                                        : charles ? session_source::charles_live
                                                  : session_source::httptoolkit;
  auto session = call.context.captures().start(name, session_kind, uri, options.dump(), duration, 32u << 20,
                                               [&](ExchangeSink& sink) {
                                                 if (pcap) return start_pcap(a, sink);
                                                 if (charles) return start_charles(a, sink);
                                                 return start_httptoolkit(a, sink);
                                               });
  if (!session.is_ok()) throw ToolError(session.status().message());
  ToolResult result;
  result.structured = {{"session_id", *session}, {"source", source}, {"status", "recording"}};
  result.resource_links.push_back("trafficdb://sessions/" + std::to_string(*session));
  return result;
}

ToolResult stop_capture(ToolCall& call) {
  auto totals = call.context.captures().stop(call.arguments.at("session_id").get<std::int64_t>());
  if (!totals.is_ok()) throw ToolError(totals.status().message() + "; list_sessions shows which are 'recording'");
  json out = {{"session_id", totals->session_id},
              {"status", totals->status},
              {"exchanges", totals->exchanges},
              {"summary", totals->summary}};
  if (!totals->error.empty()) out["error"] = totals->error;
  return {out, {"trafficdb://sessions/" + std::to_string(totals->session_id)}};
}

ToolResult delete_session(ToolCall& call) {
  const std::int64_t id = call.arguments.at("session_id").get<std::int64_t>();
  if (call.context.captures().stop(id).is_ok()) {
    // It was recording: stopped first, then deleted below.
  }
  auto db = call.context.write_db();
  SQLite::Statement exists(*db, "SELECT count(*) FROM sessions WHERE id = ?");
  exists.bind(1, static_cast<std::int64_t>(id));
  exists.executeStep();
  if (exists.getColumn(0).getInt64() == 0) throw ToolError("no session with id " + std::to_string(id));
  if (Status s = trafficdb::delete_session(*db, id); !s.is_ok()) throw ToolError(s.message());
  return {{{"session_id", id}, {"deleted", true}}, {}};
}

}  // namespace

std::vector<Tool> capture_tools() {
  std::vector<Tool> tools;
  tools.push_back(Tool{
      "start_capture", "Start recording live traffic",
      "Starts recording into a new session and returns its session_id at once; exchanges appear within a "
      "second of completing (poll with peek_exchanges). Sources: pcap (packets from a network interface; needs "
      "root or capture rights; give interface and optionally a BPF filter), charles (Charles Proxy's Web "
      "Interface; proxy, user, password), httptoolkit (HTTP Toolkit or any Mockttp admin server: attach to its "
      "session — 'auto' finds HTTP Toolkit's own — or listen_port to run a pass-through proxy of our own). "
      "Several captures may run at once. Ends with stop_capture, after duration, or after max_exchanges.",
      {{"source", T::string, "Where to record from", nullptr, std::nullopt, std::nullopt,
        {"pcap", "charles", "httptoolkit"}, true},
       {"name", T::string, "Session name (default: the source and its address)", nullptr},
       {"duration", T::string, "Stop after this long (30s, 10m, 2h); default: until stop_capture", nullptr,
        std::nullopt, std::nullopt, {}, false, "\"10m\""},
       {"max_exchanges", T::integer, "Stop after storing this many exchanges", nullptr, 1, std::nullopt, {}, false,
        "1000"},
       {"interface", T::string, "pcap: the interface (lo, eth0, any)", nullptr, std::nullopt, std::nullopt, {},
        false, "\"lo\""},
       {"filter", T::string, "pcap: a BPF capture filter, as tcpdump takes it", nullptr, std::nullopt,
        std::nullopt, {}, false, "\"tcp port 8080\""},
       {"snaplen", T::integer, "pcap: bytes captured of each packet", 262144, 128, 262144},
       {"proxy", T::string, "charles: Charles's proxy address", "http://127.0.0.1:8888"},
       {"user", T::string, "charles: Web Interface user", nullptr},
       {"password", T::string, "charles: Web Interface password (not stored)", nullptr},
       {"admin_url", T::string, "httptoolkit: the Mockttp admin API", "http://127.0.0.1:45456"},
       {"attach", T::string, "httptoolkit: a session id to record, or 'auto' for HTTP Toolkit's own (the default)",
        nullptr, std::nullopt, std::nullopt, {}, false, "\"auto\""},
       {"listen_port", T::integer, "httptoolkit: run our own pass-through proxy on this port instead (0: any)",
        nullptr, 0, 65535, {}, false, "8000"}},
      {{"type", "object"},
       {"properties",
        {{"session_id", {{"type", "integer"}}}, {"source", {{"type", "string"}}}, {"status", {{"type", "string"}}}}},
       {"required", {"session_id", "source", "status"}}},
      false, false, false, true, start_capture});
  tools.push_back(Tool{
      "stop_capture", "Stop a live capture",
      "Stops a capture started with start_capture: exchanges still unanswered are stored with an error, the "
      "session becomes 'stopped', and the totals are returned. status 'stop_failed' means the capture is still "
      "running (see error); call again.",
      {{"session_id", T::integer, "The capture's session_id", nullptr, 1, std::nullopt, {}, true, "7"}},
      {{"type", "object"},
       {"properties",
        {{"session_id", {{"type", "integer"}}},
         {"status", {{"type", "string"}, {"enum", {"stopped", "stop_failed"}}}},
         {"exchanges", {{"type", "integer"}}},
         {"summary", {{"type", "string"}}},
         {"error", {{"type", "string"}}}}},
       {"required", {"session_id", "status", "exchanges"}}},
      false, false, false, true, stop_capture});
  tools.push_back(Tool{
      "delete_session", "Delete a session",
      "Deletes a session and all its exchanges (bodies no other exchange uses are removed too). Cannot be "
      "undone. A capture still recording into it is stopped first.",
      {{"session_id", T::integer, "The session to delete", nullptr, 1, std::nullopt, {}, true, "7"}},
      {{"type", "object"},
       {"properties", {{"session_id", {{"type", "integer"}}}, {"deleted", {{"type", "boolean"}}}}},
       {"required", {"session_id", "deleted"}}},
      false, true, true, false, delete_session});
  return tools;
}

std::vector<Tool> all_tools() {
  std::vector<Tool> tools = query_tools();
  for (auto group : {file_tools(), capture_tools()})
    for (Tool& t : group) tools.push_back(std::move(t));
  return tools;
}

}  // namespace trafficdb::mcp
