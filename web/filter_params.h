// The exchange filters of the web UI's JSON API, from a URL's query
// parameters. The names are MCP's filter arguments (docs/mcp.md): session_id
// (one, or a comma list), source, host, method (comma list), status,
// path_prefix, path_contains, path_glob, endpoint, url_contains, url_regex,
// req_content_type, resp_content_type, header, body_contains, has_error
// (true/false), min_duration_ms, min_size, max_size, since, until; an empty
// value is no condition. The page's filter bar writes the same names into
// its URL, so a bookmarked page and the API it calls say the same thing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/exchange_filter.h"

namespace trafficdb::web {

using Params = std::multimap<std::string, std::string>;

// The filter names above, in the order the page shows them.
const std::vector<std::string>& filter_param_names();

// Errors name the parameter and what was wrong with it; a parameter that is
// neither a filter nor one of `other_names` is refused, with the names there are.
Result<ExchangeFilter> filter_from_params(const Params& params, const std::vector<std::string>& other_names);

}  // namespace trafficdb::web
