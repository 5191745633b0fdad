#include "recorder/pcap/pcap_live_recorder.h"

#include <poll.h>
#include <pcap/pcap.h>

#include "common/thread_name.h"
#include "common/timestamp.h"

namespace trafficdb {

// Forwards to the real sink, counting what it took and noticing when it fails.
class PcapLiveRecorder::CountingSink final : public ExchangeSink {
 public:
  CountingSink(ExchangeSink& sink, std::atomic<bool>& failed) : sink_(sink), failed_(failed) {}

  Status consume(Exchange&& exchange) override {
    Status s = sink_.consume(std::move(exchange));
    if (!s.is_ok()) {
      failed_ = true;
      return s;
    }
    stored_.fetch_add(1);
    return s;
  }
  std::uint64_t stored() const { return stored_.load(); }

 private:
  ExchangeSink& sink_;
  std::atomic<bool>& failed_;
  std::atomic<std::uint64_t> stored_{0};
};

struct PcapLiveRecorder::Handle {
  pcap_t* pcap = nullptr;
  ~Handle() {
    if (pcap) pcap_close(pcap);
  }
};

PcapLiveRecorder::PcapLiveRecorder(PcapLiveOptions options, ExchangeSink& sink)
    : options_(std::move(options)), sink_(sink) {
  counting_ = std::make_unique<CountingSink>(sink_, failed_);
}

PcapLiveRecorder::~PcapLiveRecorder() { (void)stop(); }

namespace {

std::string activation_error(int rc, pcap_t* p, const std::string& interface) {
  const std::string detail = pcap_geterr(p);
  switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
      return "no permission to capture on '" + interface +
             "': run as root, or allow the binary to capture with "
             "'sudo setcap cap_net_raw,cap_net_admin+eip $(command -v trafficdb)' (" + detail + ")";
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return "no interface named '" + interface + "' (list them with 'ip link' or 'tcpdump -D'; 'any' captures on all)";
    case PCAP_ERROR_IFACE_NOT_UP:
      return "interface '" + interface + "' is not up";
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return "no permission to capture promiscuously on '" + interface + "': run without --promiscuous or as root";
    default:
      return "cannot capture on '" + interface + "': " + (detail.empty() ? pcap_statustostr(rc) : detail);
  }
}

}  // namespace

Status PcapLiveRecorder::start() {
  if (started_) return Status::error("the capture was already started");
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  handle_ = std::make_unique<Handle>();
  handle_->pcap = pcap_create(options_.interface.c_str(), errbuf);
  if (!handle_->pcap) return Status::unavailable("cannot capture on '" + options_.interface + "': " + errbuf);
  pcap_t* p = handle_->pcap;
  pcap_set_snaplen(p, options_.snaplen);
  pcap_set_promisc(p, options_.promiscuous ? 1 : 0);
  pcap_set_immediate_mode(p, 1);  // packets as they come, not when a buffer fills
  pcap_set_buffer_size(p, 16 << 20);
  const int rc = pcap_activate(p);
  if (rc < 0) {
    const std::string message = activation_error(rc, p, options_.interface);
    handle_.reset();
    return rc == PCAP_ERROR_NO_SUCH_DEVICE ? Status::not_found(message) : Status::unavailable(message);
  }
  if (rc > 0 && options_.log) options_.log(std::string("warning: ") + pcap_statustostr(rc) + ": " + pcap_geterr(p));

  const int link_type = pcap_datalink(p);
  if (!PacketDecoder::supports(link_type)) {
    const char* name = pcap_datalink_val_to_name(link_type);
    handle_.reset();
    return Status::not_supported("interface '" + options_.interface + "' has link type " + std::to_string(link_type) +
                         (name ? std::string(" (") + name + ")" : "") + ", which trafficdb does not read");
  }
  if (!options_.filter.empty()) {
    bpf_program program{};
    if (pcap_compile(p, &program, options_.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      const std::string message = "bad --filter '" + options_.filter + "': " + pcap_geterr(p);
      handle_.reset();
      return Status::invalid_input(message);
    }
    const int set = pcap_setfilter(p, &program);
    pcap_freecode(&program);
    if (set != 0) {
      const std::string message = "cannot set the filter: " + std::string(pcap_geterr(p));
      handle_.reset();
      return Status::error(message);
    }
  }
  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    handle_.reset();
    return Status::error(std::string("cannot read the capture without blocking: ") + errbuf);
  }
  CaptureOptions capture = options_.capture;
  capture.tls.wait_for_keys = true;  // clients write their keys while the capture runs
  pipeline_ = std::make_unique<CapturePipeline>(link_type, *counting_, capture, report_);
  for (const std::string& path : capture.key_log_files) {
    key_logs_.emplace_back(path);
    // A key log that does not exist yet is fine: a browser creates it when it starts.
    if (auto read = key_logs_.back().refresh(pipeline_->key_log()); !read.is_ok() && !read.status().is(Status::Code::not_found)) {
      handle_.reset();
      pipeline_.reset();
      key_logs_.clear();
      return read.status();
    }
  }
  started_ = true;
  thread_ = std::thread([this] {
    name_this_thread("tdb-pcap");
    run();
  });
  return Status::ok();
}

void PcapLiveRecorder::run() {
  pcap_t* p = handle_->pcap;
  const int fd = pcap_get_selectable_fd(p);
  Micros last_expiry = now_micros();
  Micros last_keys = last_expiry;
  const auto on_packet = [](u_char* self, const pcap_pkthdr* h, const u_char* bytes) {
    auto* recorder = reinterpret_cast<PcapLiveRecorder*>(self);
    recorder->packets_.fetch_add(1, std::memory_order_relaxed);
    const Micros at = static_cast<Micros>(h->ts.tv_sec) * 1'000'000 + h->ts.tv_usec;
    if (!recorder->pipeline_->add(std::string_view(reinterpret_cast<const char*>(bytes), h->caplen), h->len, at))
      pcap_breakloop(recorder->handle_->pcap);
  };
  while (!stopping_.load() && !failed_.load()) {
    pollfd pfd{fd, POLLIN, 0};
    if (fd >= 0) (void)::poll(&pfd, 1, 200);
    const int n = pcap_dispatch(p, -1, on_packet, reinterpret_cast<u_char*>(this));
    if (n == PCAP_ERROR) {
      failure_ = Status::unavailable("capture on '" + options_.interface + "' failed: " + pcap_geterr(p));
      if (options_.log) options_.log(failure_.message());
      failed_ = true;
      break;
    }
    const Micros now = now_micros();
    if (now - last_keys > 200'000) {
      read_key_logs(now);
      last_keys = now;
    }
    if (now - last_expiry > 1'000'000) {
      pipeline_->expire_idle(now);
      read_kernel_stats();
      snapshot_pipeline_counts();
      last_expiry = now;
    }
  }
}

void PcapLiveRecorder::read_key_logs(Micros now) {
  bool grew = false;
  for (KeyLogFile& file : key_logs_) {
    auto read = file.refresh(pipeline_->key_log());
    if (read.is_ok()) {
      grew = grew || *read;
    } else if (!read.status().is(Status::Code::not_found) && options_.log && !key_log_warned_) {
      options_.log("cannot read the key log: " + read.status().message());
      key_log_warned_ = true;
    }
  }
  if (grew) pipeline_->keys_arrived(now);
}

void PcapLiveRecorder::snapshot_pipeline_counts() {
  std::vector<SourceCount> counts = pipeline_->integrity();
  std::lock_guard lk(pipeline_counts_mu_);
  pipeline_counts_ = std::move(counts);
}

void PcapLiveRecorder::read_kernel_stats() {
  pcap_stat st{};
  if (handle_ && handle_->pcap && pcap_stats(handle_->pcap, &st) == 0) {
    kernel_received_ = st.ps_recv;
    kernel_dropped_ = st.ps_drop;
    interface_dropped_ = st.ps_ifdrop;
  }
}

Status PcapLiveRecorder::stop() {
  if (!started_ || stopped_) return failure_;
  stopped_ = true;
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  read_kernel_stats();
  if (kernel_dropped_.load() > 0 && options_.log)
    options_.log("the kernel dropped packets: exchanges on those connections may be incomplete; a narrower "
                 "--filter helps");
  read_key_logs(now_micros());  // keys written just before the end
  if (pipeline_->sink_status().is_ok()) pipeline_->finish(now_micros());
  snapshot_pipeline_counts();
  if (failure_.is_ok() && !pipeline_->sink_status().is_ok()) failure_ = pipeline_->sink_status();
  handle_.reset();
  return failure_;
}

PcapLiveStats PcapLiveRecorder::stats() const {
  PcapLiveStats s;
  s.packets = packets_.load();
  s.exchanges = counting_->stored();
  s.kernel_received = kernel_received_.load();
  s.kernel_dropped = kernel_dropped_.load();
  s.interface_dropped = interface_dropped_.load();
  return s;
}

LiveSourceStatus PcapLiveRecorder::status() const {
  LiveSourceStatus s;
  s.failed = failed_.load();
  s.stored = counting_->stored();
  return s;
}

std::vector<SourceCount> PcapLiveRecorder::counts() const {
  const PcapLiveStats s = stats();
  std::vector<SourceCount> out = {{"packets", s.packets},
                                  {"kernel_received", s.kernel_received},
                                  {"kernel_dropped", s.kernel_dropped},
                                  {"interface_dropped", s.interface_dropped}};
  std::lock_guard lk(pipeline_counts_mu_);
  for (const SourceCount& c : pipeline_counts_)
    if (c.name != "packets") out.push_back(c);  // the live count is newer
  return out;
}

std::string PcapLiveRecorder::summary() const {
  const PcapLiveStats s = stats();
  return std::to_string(s.packets) + " packets read; kernel: " + std::to_string(s.kernel_received) + " received, " +
         std::to_string(s.kernel_dropped) + " dropped, " + std::to_string(s.interface_dropped) +
         " dropped by the interface";
}

std::string PcapLiveRecorder::describe() const {
  return "capturing on " + options_.interface + (options_.filter.empty() ? "" : " (" + options_.filter + ")");
}

}  // namespace trafficdb
