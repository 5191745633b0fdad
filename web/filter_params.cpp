#include "web/filter_params.h"

#include <algorithm>
#include <charconv>

#include "query/filter_spec.h"

namespace trafficdb::web {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) items.push_back(std::move(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

template <typename Number>
Result<Number> parse_number(const std::string& name, const std::string& text) {
  Number value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    return Status::invalid_input("parameter '" + name + "': '" + text + "' is not a number of 0 or more");
  return value;
}

}  // namespace

const std::vector<std::string>& filter_param_names() {
  static const std::vector<std::string> names = {
      "session_id",   "source",       "host",        "method",           "status",
      "path_prefix",  "path_contains", "path_glob",  "endpoint",         "url_contains",
      "url_regex",    "req_content_type", "resp_content_type", "header", "body_contains",
      "has_error",    "min_duration_ms", "min_size", "max_size",         "since",
      "until"};
  return names;
}

Result<ExchangeFilter> filter_from_params(const Params& params, const std::vector<std::string>& other_names) {
  FilterSpec spec;
  const auto& names = filter_param_names();
  for (const auto& [name, value] : params) {
    if (std::find(other_names.begin(), other_names.end(), name) != other_names.end()) continue;
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string known;
      for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
      for (const std::string& n : other_names) known += ", " + n;
      return Status::invalid_input("unknown parameter '" + name + "' (known: " + known + ")");
    }
    if (value.empty()) continue;
    if (name == "session_id") {
      for (const std::string& item : split_list(value)) {
        auto id = parse_number<std::int64_t>(name, item);
        if (!id.is_ok()) return id.status();
        spec.sessions.push_back(*id);
      }
    } else if (name == "source") {
      for (std::string& item : split_list(value)) spec.sources.push_back(std::move(item));
    } else if (name == "host") {
      spec.hosts.push_back(value);
    } else if (name == "method") {
      for (std::string& item : split_list(value)) spec.methods.push_back(std::move(item));
    } else if (name == "status") {
      spec.status = value;
    } else if (name == "path_prefix") {
      spec.path_prefix = value;
    } else if (name == "path_contains") {
      spec.path_contains = value;
    } else if (name == "path_glob") {
      spec.path_glob = value;
    } else if (name == "endpoint") {
      spec.endpoint = value;
    } else if (name == "url_contains") {
      spec.url_contains = value;
    } else if (name == "url_regex") {
      spec.url_regex = value;
    } else if (name == "req_content_type") {
      spec.req_type = value;
    } else if (name == "resp_content_type") {
      spec.resp_type = value;
    } else if (name == "header") {
      spec.header = value;
    } else if (name == "body_contains") {
      spec.body_contains = value;
    } else if (name == "has_error") {
      if (value != "true" && value != "false")
        return Status::invalid_input("parameter 'has_error': give true or false, not '" + value + "'");
      (value == "true" ? spec.errors : spec.no_errors) = true;
    } else if (name == "min_duration_ms") {
      auto ms = parse_number<double>(name, value);
      if (!ms.is_ok()) return ms.status();
      spec.min_duration_ms = *ms;
    } else if (name == "min_size" || name == "max_size") {
      auto bytes = parse_number<std::int64_t>(name, value);
      if (!bytes.is_ok()) return bytes.status();
      (name == "min_size" ? spec.min_size : spec.max_size) = *bytes;
    } else if (name == "since") {
      spec.since = value;
    } else if (name == "until") {
      spec.until = value;
    }
  }
  return spec.build([](std::string_view field) {
    return field == "errors" ? std::string("parameter 'has_error'") : "parameter '" + std::string(field) + "'";
  });
}

}  // namespace trafficdb::web
