// Reading HAR 1.2 files (http://www.softwareishard.com/blog/har-12-spec/) as
// browsers, Charles and HTTP Toolkit export them, into Exchanges.
//
// Streams log.entries one entry at a time (memory bounded by the largest
// entry, itself bounded by the body cap), converts each and hands it to the
// sink in file order. An entry that lacks what an exchange needs (request
// method and URL) is rejected and named by index and byte offset; the rest go
// on. Invalid JSON stops the read: entries before it are kept.
//
// Bodies: response content.text (plain or base64) and request postData (text,
// or params as a form) become decoded bodies. Charles writes some bodies
// still compressed although HAR says content.text is decoded; such a body
// (Content-Encoding set, bytes not of content.size) is decoded here.
// Fields starting with '_' are vendor extensions and are ignored, except
// response._error, which becomes the exchange's error when there is no response.
#pragma once

#include <cstdint>

#include "recorder/bounded_json_input.h"
#include "model/exchange_sink.h"
#include "model/import_report.h"

namespace trafficdb {

struct HarReaderOptions {
  // Bodies are kept up to this many decoded bytes; the longest JSON string
  // read is sized from it.
  std::uint64_t max_body_bytes = 32ull << 20;
};

// The longest JSON string the reader keeps whole: twice the body cap, for
// base64 and escapes (a body of control characters is 6 times longer as JSON
// and is cut sooner; the cut is reported).
std::uint64_t har_max_string_bytes(const HarReaderOptions& options);

ImportReport read_har(BoundedJsonInput& input, ExchangeSink& sink, const HarReaderOptions& options,
                      const ImportProgress& progress = {});

}  // namespace trafficdb
