// Reading Charles JSON session exports (.chlsj) into Exchanges: a
// top-level array of transactions, streamed one transaction at a time
// (memory bounded by the largest transaction, itself bounded by the body
// cap), each converted by convert_charles_transaction and handed to the sink
// in file order. Problems are reported by transaction index and byte offset.
#pragma once

#include "recorder/bounded_json_input.h"
#include "recorder/charles/charles_transaction.h"
#include "model/import_report.h"

namespace trafficdb {

// The longest JSON string the reader keeps whole: twice the body cap, for
// base64 and escapes (a body of control characters is 6 times longer as JSON
// and is cut sooner; the cut is reported).
std::uint64_t chlsj_max_string_bytes(const CharlesConversionOptions& options);

ImportReport read_chlsj(BoundedJsonInput& input, ExchangeSink& sink, const CharlesConversionOptions& options,
                        const ImportProgress& progress = {});

}  // namespace trafficdb
