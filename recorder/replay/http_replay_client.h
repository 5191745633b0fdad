// Sending one request over the network and recording what happened as an
// Exchange: the replay source (recorder/replay). HTTP/1.1 only, one
// connection per request, no redirects followed, no proxy.
//
// Bounded: connecting, each read and each write wait at most `timeout`, and
// the whole response body must arrive within it too (what came before is
// kept, and the exchange's error says it was cut). At most `max_body_bytes`
// of the response body are kept, decoded (gzip, br, ... undone as the store
// keeps them); beyond that, bytes are counted, not kept. TLS certificates
// are checked against the system's CA store, and the name against the host,
// unless `verify_tls` is false.
//
// send_replay never fails: a request that got no response (refused, timed
// out, TLS failure) is an Exchange without a response whose `error` says why.
// The request headers recorded are those sent, including the ones the HTTP
// library adds (Accept, User-Agent, Connection: close ...). Response headers
// are recorded sorted by name (the HTTP library does not keep their order).
#pragma once

#include <chrono>
#include <cstdint>

#include "model/exchange.h"

namespace trafficdb {

struct ReplaySendOptions {
  std::chrono::milliseconds timeout{30000};
  std::uint64_t max_body_bytes = 32u << 20;
  bool verify_tls = true;
};

// `request` as replay_request() makes it: absolute http(s) URL parts, the
// headers and body to send.
Exchange send_replay(const Request& request, const ReplaySendOptions& options);

}  // namespace trafficdb
