#include "recorder/json_import_loop.h"

#include <algorithm>

namespace trafficdb {

ImportReport import_json_array(BoundedJsonInput& input, const JsonImportSpec& spec, const EntryConverter& convert,
                               ExchangeSink& sink, const ImportProgress& progress) {
  ImportReport report;
  std::size_t since_progress = 0;
  auto where = [&](const JsonElement& e) {
    return spec.entry_noun + " " + std::to_string(e.index) + " (byte " + std::to_string(e.offset) + ")";
  };

  auto on_entry = [&](JsonElement&& element) -> bool {
    if (element.oversized) {
      report.add_problem({where(element), spec.entry_noun + " " + element.skip_reason + "; skipped", true});
      return true;
    }
    EntryConversion converted = convert(element);
    for (const std::string& c : converted.caveats) report.add_problem({where(element), c, false});
    if (converted.exchange) {
      for (const auto& [pointer, length] : element.cut_strings) {
        const auto& handled = converted.handled_cuts;
        if (std::find(handled.begin(), handled.end(), pointer) == handled.end())
          report.add_problem({where(element), "the string at " + pointer + " (" + bytes_text(length) +
                                                  ") was cut while reading", false});
      }
    }
    if (!converted.exchange) {
      std::string message;
      for (const std::string& f : converted.fatal) message += (message.empty() ? "" : "; ") + f;
      report.add_problem({where(element), message, true});
      return true;
    }
    if (Status s = sink.consume(std::move(*converted.exchange)); !s.is_ok()) {
      report.fatal = "stopped at " + where(element) + ": " + s.message();
      return false;
    }
    ++report.stored;
    if (progress && ++since_progress >= 256) {
      since_progress = 0;
      progress(input.offset(), report.stored);
    }
    return true;
  };

  auto result = stream_json_array(input, spec.array_path, spec.max_entry_bytes, on_entry);
  if (!result.is_ok()) {
    const std::size_t next = report.stored + report.rejected;
    report.fatal = result.status().message() + " (reading " + spec.entry_noun + " " + std::to_string(next) + "; the " +
                   spec.entry_noun + "s before it were kept)";
  } else if (!result->array_found && !report.fatal) {
    report.fatal = spec.missing_array_message;
  }
  if (progress) progress(input.offset(), report.stored);
  return report;
}

}  // namespace trafficdb
