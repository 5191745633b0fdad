#include "recorder/charles/chlsj_reader.h"

#include "recorder/json_import_loop.h"

namespace trafficdb {

std::uint64_t chlsj_max_string_bytes(const CharlesConversionOptions& options) {
  return options.max_body_bytes * 2 + 4096;
}

ImportReport read_chlsj(BoundedJsonInput& input, ExchangeSink& sink, const CharlesConversionOptions& options,
                        const ImportProgress& progress) {
  const JsonImportSpec spec{{}, "transaction", "not a Charles JSON session: the file is not a JSON array",
                            2 * chlsj_max_string_bytes(options) + (16ull << 20)};
  return import_json_array(
      input, spec, [&](const JsonElement& element) { return convert_charles_transaction(element, options); }, sink,
      progress);
}

}  // namespace trafficdb
