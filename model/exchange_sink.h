// ExchangeSink: where a source hands the exchanges it has rebuilt.
//
// The store's Writer implements it. A source calls consume() once per
// complete exchange, in the order it wants ids assigned. consume() may block
// (back-pressure) and returns an error when the sink can take no more (the
// database failed, or the sink was closed); a source should stop then.
#pragma once

#include "common/status.h"
#include "model/exchange.h"

namespace trafficdb {

class ExchangeSink {
 public:
  virtual ~ExchangeSink() = default;
  virtual Status consume(Exchange&& exchange) = 0;
};

}  // namespace trafficdb
