#include "model/exchange.h"

#include <strings.h>

namespace trafficdb {

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const Header& h : headers) {
    if (h.name.size() == name.size() && strncasecmp(h.name.data(), name.data(), name.size()) == 0)
      return std::string_view(h.value);
  }
  return std::nullopt;
}

}  // namespace trafficdb
