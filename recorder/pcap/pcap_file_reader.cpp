#include "recorder/pcap/pcap_file_reader.h"

#include <pcap/pcap.h>

#include <cstdio>
#include <memory>

#include "recorder/pcap/pcapng_secrets.h"
#include "recorder/tls/key_log_file.h"

namespace trafficdb {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

std::string link_type_name(int link_type) {
  const char* name = pcap_datalink_val_to_name(link_type);
  return std::to_string(link_type) + (name ? std::string(" (") + name + ")" : "");
}

Micros micros_of(const timeval& tv) {
  return static_cast<Micros>(tv.tv_sec) * 1'000'000 + static_cast<Micros>(tv.tv_usec);
}

}  // namespace

Result<ImportReport> read_pcap_file(const std::string& path, ExchangeSink& sink, const CaptureOptions& options,
                                    const ImportProgress& progress) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapCloser> handle(
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, errbuf));
  if (!handle) return Status::invalid_input(path + ": cannot read as a capture file: " + errbuf);
  const int link_type = pcap_datalink(handle.get());
  if (!PacketDecoder::supports(link_type))
    return Status::not_supported(path + ": link type " + link_type_name(link_type) +
                         " is not supported (supported: Ethernet, 802.1Q/QinQ, Linux SLL and SLL2, raw IP, "
                         "BSD loopback, NFLOG)");

  ImportReport report;
  CapturePipeline pipeline(link_type, sink, options, report);
  for (const std::string& key_file : options.key_log_files) {
    KeyLogFile file(key_file);
    if (auto read = file.refresh(pipeline.key_log()); !read.is_ok()) return read.status();
  }
  auto embedded = read_pcapng_key_logs(path);
  if (!embedded.is_ok()) return embedded.status();
  for (const std::string& text : *embedded) pipeline.key_log().add_text(text);
  if (!embedded->empty())
    report.notes.push_back(std::to_string(embedded->size()) + " TLS key log(s) embedded in the capture read");
  std::FILE* file = pcap_file(handle.get());
  std::uint64_t packets = 0;
  Micros last_at = 0;
  while (true) {
    pcap_pkthdr* header = nullptr;
    const unsigned char* data = nullptr;
    const int rc = pcap_next_ex(handle.get(), &header, &data);
    if (rc == PCAP_ERROR_BREAK) break;  // end of file
    if (rc != 1) {
      const long offset = file ? std::ftell(file) : -1;
      std::string message = pcap_geterr(handle.get());
      report.fatal = "reading stopped after packet " + std::to_string(packets) +
                     (offset >= 0 ? " (byte " + std::to_string(offset) + ")" : "") + ": " + message +
                     "; the exchanges before it are stored";
      break;
    }
    ++packets;
    last_at = micros_of(header->ts);
    if (!pipeline.add(std::string_view(reinterpret_cast<const char*>(data), header->caplen), header->len, last_at))
      break;
    if (progress && packets % 8192 == 0) {
      const long offset = file ? std::ftell(file) : 0;
      progress(offset > 0 ? static_cast<std::uint64_t>(offset) : 0, pipeline.counts().exchanges);
    }
  }
  if (pipeline.sink_status().is_ok()) pipeline.finish(last_at);
  if (!pipeline.sink_status().is_ok() && !report.fatal)
    report.fatal = "storing failed: " + pipeline.sink_status().message();
  report.stored = pipeline.counts().exchanges;
  pipeline.add_notes(report);
  report.integrity = pipeline.integrity();
  if (progress) progress(file && std::ftell(file) > 0 ? static_cast<std::uint64_t>(std::ftell(file)) : 0,
                         report.stored);
  return report;
}

}  // namespace trafficdb
