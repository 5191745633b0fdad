// One exchange printed for people (`trafficdb show`, `trafficdb replay`):
// a line of facts, the request line and headers, the body as text (or what
// it is), the status line, headers and body; or the detail as JSON.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace trafficdb {

// `detail` is query/exchange_detail.h's JSON of one exchange.
void print_exchange_detail(std::ostream& out, const nlohmann::json& detail, bool as_json);

}  // namespace trafficdb
