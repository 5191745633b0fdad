// The loop every JSON export importer shares: stream the entries of one
// array, convert each, hand the good ones to the sink, and report the rest
// by index and byte offset.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "recorder/bounded_json_input.h"
#include "model/exchange_sink.h"
#include "recorder/export_fields.h"
#include "model/import_report.h"
#include "recorder/json_array_stream.h"

namespace trafficdb {

// What converting one entry gave.
struct EntryConversion {
  std::optional<Exchange> exchange;  // nullopt: the entry cannot be stored
  std::vector<std::string> fatal;    // why not
  Caveats caveats;                   // stored, but something was lost or odd
  // JSON pointers of cut strings the converter reported itself; any other
  // string the input cut is reported by the loop.
  std::vector<std::string> handled_cuts;
};

using EntryConverter = std::function<EntryConversion(const JsonElement&)>;

struct JsonImportSpec {
  std::vector<std::string> array_path;  // {"log","entries"}; {} for a top-level array
  std::string entry_noun;               // "entry", "transaction": used in messages
  std::string missing_array_message;    // said when the document has no such array
  std::uint64_t max_entry_bytes;        // larger entries are skipped (rejected)
};

ImportReport import_json_array(BoundedJsonInput& input, const JsonImportSpec& spec, const EntryConverter& convert,
                               ExchangeSink& sink, const ImportProgress& progress);

}  // namespace trafficdb
