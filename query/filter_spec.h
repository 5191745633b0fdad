// FilterSpec: an exchange filter as people and agents write it (text: host
// patterns, "5xx", "10m"), checked and turned into an ExchangeFilter. The
// CLI's options and the MCP tools' arguments both fill one in.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/exchange_filter.h"

namespace trafficdb {

struct FilterSpec {
  std::vector<std::int64_t> sessions;
  std::vector<std::string> sources;
  std::vector<std::string> hosts;
  std::vector<std::string> methods;
  std::string status;
  std::string path_prefix, path_contains, path_glob;
  std::string endpoint;  // "GET /users/{id}" or "/users/{id}"
  std::string url_contains, url_regex;
  std::string req_type, resp_type;
  std::string header;  // NAME or NAME:VALUE
  std::string header_side = "either";
  std::string body_contains;
  bool errors = false, no_errors = false;
  double min_duration_ms = -1;
  std::int64_t min_size = -1, max_size = -1;
  std::string since, until;

  // How a field is called where the filter came from ("--host", "host"),
  // for error messages. Fields: host, method, status, url_regex, header,
  // errors, since, until, endpoint.
  using Label = std::function<std::string(std::string_view field)>;

  // Checks values and builds the filter; errors name the field by `label`.
  Result<ExchangeFilter> build(const Label& label) const;
};

}  // namespace trafficdb
