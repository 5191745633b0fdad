// Importing a pcap or pcapng file: every HTTP/1.x exchange in it, through
// the CapturePipeline, into a sink.
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

// Fails only when the file cannot be opened as a capture at all, or its link
// type is not one trafficdb reads; everything else is in the report.
Result<ImportReport> read_pcap_file(const std::string& path, ExchangeSink& sink, const CaptureOptions& options,
                                    const ImportProgress& progress = {});

}  // namespace trafficdb
