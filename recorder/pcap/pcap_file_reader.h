// Importing a pcap or pcapng file: every HTTP exchange in it (HTTP/1.x and
// HTTP/2, in clear or in TLS decrypted with the key logs in
// options.key_log_files and those the pcapng carries), through the
// CapturePipeline, into a sink.
//
// The file is read with libpcap, one packet at a time: memory does not grow
// with the file. A file libpcap cannot read to its end (cut short, corrupt,
// a pcapng whose interfaces have different link types) is imported as far
// as it reads; `fatal` in the report says where and why it stopped.
#pragma once

#include <string>

#include "model/exchange_sink.h"
#include "model/import_report.h"
#include "recorder/pcap/capture_pipeline.h"

namespace trafficdb {

// Fails only when the file cannot be opened as a capture at all, its link
// type is not one trafficdb reads, or a key log file cannot be read;
// everything else is in the report.
Result<ImportReport> read_pcap_file(const std::string& path, ExchangeSink& sink, const CaptureOptions& options,
                                    const ImportProgress& progress = {});

}  // namespace trafficdb
