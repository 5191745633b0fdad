// The web UI's files (web/assets/*, and Chart.js from Debian's
// libjs-chart.js), compiled into the binary by cmake/embed_assets.cmake:
// nothing is read from disk or the network at run time.
#pragma once

#include <string_view>
#include <vector>

namespace trafficdb::web {

struct Asset {
  std::string_view name;          // "index.html", "app.js", "chart.min.js"
  std::string_view content_type;  // with charset for text
  std::string_view bytes;
};

const std::vector<Asset>& embedded_assets();

// nullptr when there is no asset of that name.
const Asset* find_asset(std::string_view name);

}  // namespace trafficdb::web
