#include "recorder/charles/charles_live_recorder.h"

#include <httplib.h>
#include <openssl/evp.h>

#include <algorithm>

#include "common/thread_name.h"
#include "recorder/charles/chlsj_reader.h"
#include "recorder/json_array_stream.h"
#include "recorder/url.h"

namespace trafficdb {
namespace {

constexpr const char* kControlHost = "control.charles";

// A compact digest of a transaction key (MD5: collisions only need to be
// unlikely, not hard to make).
std::string digest(const std::string& key) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(key.data(), key.size(), out, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool is_control_transaction(const nlohmann::json& t) {
  const auto it = t.find("host");
  return it != t.end() && it->is_string() && it->get_ref<const std::string&>() == kControlHost;
}

}  // namespace

struct CharlesLiveRecorder::Http {
  std::string host;
  int port;
  httplib::Client client;
  Http(std::string h, int p) : host(std::move(h)), port(p), client(host, port) {}
  std::string where() const { return host + ":" + std::to_string(port); }
};

CharlesLiveRecorder::CharlesLiveRecorder(CharlesLiveOptions options, ExchangeSink& sink)
    : options_(std::move(options)), sink_(sink) {}

CharlesLiveRecorder::~CharlesLiveRecorder() { (void)stop(); }

void CharlesLiveRecorder::say(const std::string& line) const {
  if (options_.log) options_.log(line);
}

bool CharlesLiveRecorder::failed() const {
  std::lock_guard lk(mu_);
  return !sink_failure_.is_ok();
}

CharlesLiveStats CharlesLiveRecorder::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

LiveSourceStatus CharlesLiveRecorder::status() const {
  std::lock_guard lk(mu_);
  return {!sink_failure_.is_ok(), stats_.stored, stats_.last_error};
}

std::vector<SourceCount> CharlesLiveRecorder::counts() const {
  const CharlesLiveStats s = stats();
  return {{"polls", s.polls}, {"failed_polls", s.failed_polls}, {"in_flight", s.in_flight}, {"clears", s.clears}};
}

std::string CharlesLiveRecorder::summary() const {
  const CharlesLiveStats s = stats();
  return std::to_string(s.polls) + " polls (" + std::to_string(s.failed_polls) + " failed), " +
         std::to_string(s.clears) + " session clears seen";
}

std::string CharlesLiveRecorder::describe() const { return "recording Charles at " + options_.proxy; }

Status CharlesLiveRecorder::request(const std::string& path, std::string& body) {
  body.clear();
  bool too_big = false;
  const httplib::Headers headers = {{"Host", kControlHost}};
  auto res = http_->client.Get(("http://" + std::string(kControlHost) + path).c_str(), headers,
                               [&](const char* data, size_t n) {
                                 if (body.size() + n > options_.max_export_bytes) {
                                   too_big = true;
                                   return false;
                                 }
                                 body.append(data, n);
                                 return true;
                               });
  if (too_big)
    return Status::busy("Charles's answer to " + path + " is larger than " +
                         std::to_string(options_.max_export_bytes >> 20) + " MiB; not read");
  if (!res) {
    const httplib::Error e = res.error();
    const std::string why = e == httplib::Error::Connection       ? "cannot connect"
                            : e == httplib::Error::ConnectionTimeout ? "connection timed out"
                            : e == httplib::Error::Read              ? "the connection broke while reading"
                                                                     : httplib::to_string(e);
    return Status::unavailable("cannot reach Charles's proxy at " + http_->where() + " (" + why +
                         "): is Charles running, with its proxy on that port (Proxy > Proxy Settings)?");
  }
  if (res->status == 401 || res->status == 403 || res->status == 407)
    return Status::unavailable("Charles at " + http_->where() + " refused the Web Interface credentials (HTTP " +
                         std::to_string(res->status) +
                         "): in Charles, Proxy > Web Interface Settings: enable the web interface and add the user "
                         "given with --user/--password");
  if (res->status != 200)
    return Status::unavailable("Charles at " + http_->where() + " did not serve its Web Interface at http://" +
                         kControlHost + path + " (HTTP " + std::to_string(res->status) +
                         "): enable it in Proxy > Web Interface Settings");
  return Status::ok();
}

Status CharlesLiveRecorder::start() {
  {
    std::lock_guard lk(mu_);
    if (started_) return Status::error("the Charles recorder is already started");
  }
  std::string proxy = options_.proxy;
  if (proxy.find("://") == std::string::npos) proxy = "http://" + proxy;
  auto parts = parse_url(proxy);
  if (!parts.is_ok() || parts->scheme != "http")
    return Status::invalid_input("bad --proxy '" + options_.proxy + "': give Charles's proxy as http://HOST:PORT");
  http_ = std::make_unique<Http>(parts->host, parts->port.value_or(8888));
  http_->client.set_url_encode(false);
  http_->client.set_connection_timeout(std::chrono::seconds(5));
  http_->client.set_read_timeout(options_.request_timeout);
  if (!options_.user.empty() || !options_.password.empty())
    http_->client.set_basic_auth(options_.user.c_str(), options_.password.c_str());

  std::string body;
  if (options_.start_recording) {
    if (Status s = request("/recording/", body); !s.is_ok()) return s;
    if (body.find("Status: Recording") == std::string::npos) {
      if (Status s = request("/recording/start", body); !s.is_ok()) return s;
      say("Charles was not recording: started its recording (--start-recording)");
    }
  }
  if (options_.clear_first) {
    if (Status s = request("/session/clear", body); !s.is_ok()) return s;
    say("cleared Charles's session (--clear-first)");
  }
  if (Status s = poll_once(); !s.is_ok()) return s;
  {
    std::lock_guard lk(mu_);
    started_ = true;
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    name_this_thread("tdb-charles");
    run();
  });
  return Status::ok();
}

Status CharlesLiveRecorder::stop() {
  {
    std::lock_guard lk(mu_);
    if (!started_) return sink_failure_;
    started_ = false;
    stopping_ = true;
  }
  wake_.notify_all();
  http_->client.stop();  // cuts a poll in progress short
  if (thread_.joinable()) thread_.join();

  // A last, quick look, then whatever Charles has not finished is stored as such.
  if (sink_failure_.is_ok()) {
    http_->client.set_read_timeout(std::chrono::seconds(5));
    if (Status s = poll_once(); !s.is_ok()) say("last poll failed: " + s.message());
  }
  for (auto& [d, element] : in_flight_) {
    if (!sink_failure_.is_ok()) break;
    (void)store(std::move(element), d, "still in flight in Charles when recording stopped");
  }
  in_flight_.clear();
  std::lock_guard lk(mu_);
  stats_.in_flight = 0;
  return sink_failure_;
}

Status CharlesLiveRecorder::store(JsonElement&& element, const std::string& key_digest, const std::string& error) {
  CharlesConversionOptions conversion;
  conversion.max_body_bytes = options_.max_body_bytes;
  EntryConversion converted = convert_charles_transaction(element, conversion);
  stored_keys_.insert(key_digest);  // stored or refused, never tried again
  if (!converted.exchange) {
    std::string why;
    for (const auto& f : converted.fatal) why += (why.empty() ? "" : "; ") + f;
    say("skipped a transaction Charles exported: " + why);
    return Status::ok();
  }
  Exchange& ex = *converted.exchange;
  ex.source_key = "charles:" + hex(key_digest);
  if (!error.empty()) ex.error = error;
  if (Status s = sink_.consume(std::move(ex)); !s.is_ok()) {
    std::lock_guard lk(mu_);
    sink_failure_ = s;
    return s;
  }
  std::lock_guard lk(mu_);
  ++stats_.stored;
  return Status::ok();
}

Status CharlesLiveRecorder::poll_once() {
  std::string body;
  Status fetched = request("/session/export-json", body);
  {
    std::lock_guard lk(mu_);
    ++stats_.polls;
  }
  if (!fetched.is_ok()) return fetched;

  CharlesConversionOptions conversion;
  conversion.max_body_bytes = options_.max_body_bytes;
  BoundedJsonInput input(std::string_view(body), chlsj_max_string_bytes(conversion));
  std::map<std::string, int> occurrences;
  std::unordered_set<std::string> seen_now;
  Status sink_status;
  auto on_transaction = [&](JsonElement&& element) -> bool {
    if (!element.value.is_object() || is_control_transaction(element.value)) return true;
    const std::string identity = charles_transaction_identity(element.value);
    const std::string key = digest(identity + "#" + std::to_string(++occurrences[identity]));
    seen_now.insert(key);
    if (stored_keys_.count(key)) return true;
    if (!charles_transaction_finished(element.value)) {
      in_flight_[key] = std::move(element);
      return true;
    }
    in_flight_.erase(key);
    sink_status = store(std::move(element), key, "");
    return sink_status.is_ok();
  };
  auto streamed = stream_json_array(input, {}, 2 * chlsj_max_string_bytes(conversion) + (16ull << 20), on_transaction);
  if (!sink_status.is_ok()) return sink_status;
  if (!streamed.is_ok()) return Status::corrupt("Charles's session export is not valid JSON: " + streamed.status().message());
  if (!streamed->array_found) return Status::corrupt("Charles's session export is not a JSON array");

  // A clear: transactions of the last export are gone from this one.
  const bool cleared = std::any_of(last_export_keys_.begin(), last_export_keys_.end(),
                                   [&](const std::string& k) { return !seen_now.count(k); });
  if (cleared) {
    say("Charles's session was cleared (" + std::to_string(last_export_keys_.size()) + " transactions before, " +
        std::to_string(seen_now.size()) + " now); recording goes on");
    std::lock_guard lk(mu_);
    ++stats_.clears;
  }
  // In flight before, gone now: store what was seen rather than lose it.
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (seen_now.count(it->first)) {
      ++it;
      continue;
    }
    if (Status s = store(std::move(it->second), it->first,
                         "left Charles's session before it completed (the session was cleared)");
        !s.is_ok())
      return s;
    it = in_flight_.erase(it);
  }
  last_export_keys_ = std::move(seen_now);
  std::lock_guard lk(mu_);
  stats_.in_flight = in_flight_.size();
  stats_.last_error.clear();
  return Status::ok();
}

void CharlesLiveRecorder::run() {
  int failures = 0;
  for (;;) {
    auto wait = options_.interval;
    if (failures > 0) wait = std::min<std::chrono::milliseconds>(options_.interval * (1 << std::min(failures, 5)),
                                                                  std::chrono::seconds(30));
    {
      std::unique_lock lk(mu_);
      if (wake_.wait_for(lk, wait, [&] { return stopping_; })) return;
    }
    const Status s = poll_once();
    if (failed()) {
      say("storing failed, recording stops: " + sink_failure_.message());
      return;
    }
    if (s.is_ok()) {
      if (failures > 0) say("Charles answers again after " + std::to_string(failures) + " failed polls");
      failures = 0;
      continue;
    }
    ++failures;
    {
      std::lock_guard lk(mu_);
      ++stats_.failed_polls;
      stats_.last_error = s.message();
    }
    say("poll failed (" + s.message() + "); retrying with backoff; rows already stored stay");
  }
}

}  // namespace trafficdb
