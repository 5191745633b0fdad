#include "common/local_origin.h"

#include "common/ascii.h"

namespace trafficdb {
namespace {

constexpr std::string_view kLoopbackNames[] = {"localhost", "127.0.0.1", "[::1]"};

// "name:port" -> "name"; "[::1]:80" -> "[::1]"; lower-case.
std::string host_name_of(std::string_view authority) {
  std::string_view name = authority;
  if (!name.empty() && name.front() == '[') {
    const std::size_t close = name.find(']');
    name = close == std::string_view::npos ? name : name.substr(0, close + 1);
  } else if (const std::size_t colon = name.find(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  return ascii_lower(name);
}

}  // namespace

bool is_localhost_origin(std::string_view origin) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.substr(0, scheme.size()) != scheme) continue;
    const std::string_view rest = origin.substr(scheme.size());
    for (std::string_view host : kLoopbackNames) {
      if (rest.substr(0, host.size()) != host) continue;
      const std::string_view tail = rest.substr(host.size());
      if (tail.empty() || tail.front() == ':') return true;
    }
  }
  return false;
}

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed) {
  if (is_localhost_origin(origin)) return true;
  for (const std::string& o : allowed)
    if (origin == o) return true;
  return false;
}

bool host_header_allowed(std::string_view host_header, std::string_view bound_host) {
  const std::string name = host_name_of(host_header);
  if (name.empty()) return false;
  for (std::string_view loopback : kLoopbackNames)
    if (name == loopback) return true;
  if (bound_host == "0.0.0.0" || bound_host == "::" || bound_host == "[::]") return true;
  std::string bound = ascii_lower(bound_host);
  if (bound.find(':') != std::string::npos && bound.front() != '[') bound = "[" + bound + "]";
  return name == bound;
}

bool is_loopback_host(std::string_view host) {
  const std::string h = ascii_lower(host);
  return h == "localhost" || h == "::1" || h == "[::1]" || h.rfind("127.", 0) == 0;
}

}  // namespace trafficdb
