#include "common/comma_list.h"

#include <algorithm>

namespace trafficdb {

std::vector<std::string> split_comma_list(std::string_view text, EmptyItems empty) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty() || empty == EmptyItems::keep) items.emplace_back(item);
    start = comma + 1;
  }
  return items;
}

}  // namespace trafficdb
