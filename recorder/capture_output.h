// CaptureOutput: where the handlers of a capture's connections (HTTP/1.x,
// HTTP/2, TLS) hand what they rebuild: exchanges, caveats, and connections
// they do not follow. The capture pipeline implements it.
#pragma once

#include <string>
#include <string_view>

#include "model/exchange.h"

namespace trafficdb {

class CaptureOutput {
 public:
  virtual ~CaptureOutput() = default;
  virtual void exchange(Exchange&& exchange) = 0;
  // Something stored with a caveat (a body cut or not decoded).
  virtual void problem(std::string message) = 0;
  // A connection that is not followed, and why ("not HTTP/1.x", ...).
  virtual void skipped(std::string_view why) = 0;
};

}  // namespace trafficdb
