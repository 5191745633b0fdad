// How deeply a JSON text nests, counted over its brackets outside strings,
// without parsing it: a guard before handing a captured body to a parser or
// printer that recurses (nlohmann's). Linear; works on broken JSON too.
#pragma once

#include <cstddef>
#include <string_view>

namespace trafficdb {

// The deepest nesting of [ and { in `text`; counting stops as soon as it
// passes `limit` (the result is then limit + 1).
std::size_t json_nesting_depth(std::string_view text, std::size_t limit);

}  // namespace trafficdb
