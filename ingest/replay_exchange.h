// Replaying a stored exchange: its request (with changes) is sent again
// (recorder/replay) and what happened is stored as the one exchange of a new
// session of source 'replay', linked to the original: the session's options
// and the exchange's details hold {"replay_of": <original id>, "changed":
// [...]}. The routine `trafficdb replay` and the MCP tool replay_exchange
// share.
//
// Nothing is sent, and nothing stored, when the request cannot be built
// (replay_request.h) or the policy refuses it (replay_policy.h): the result
// is that error (invalid_input). Once sent, the outcome is always stored,
// also when no response came (the exchange's error says why; the session is
// ended 'stopped' with that error). A storage failure is the result's error.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "model/exchange.h"
#include "recorder/replay/http_replay_client.h"
#include "recorder/replay/replay_policy.h"
#include "recorder/replay/replay_request.h"

namespace trafficdb {

struct ReplayOptions {
  ReplayChanges changes;
  ReplayPolicy policy;
  ReplaySendOptions send;  // send.max_body_bytes is the store's body cap too
  // How the caller's user confirms a method or allows a host, for refusals
  // ("--confirm", "confirm: true"; "--allow-host HOST", ...).
  std::string confirm_hint = "confirmation";
  std::string allow_hint = "an allowed host";
};

struct ReplayOutcome {
  std::int64_t session_id = 0;
  std::int64_t exchange_id = 0;
  std::string error;  // the stored exchange's error; "" when a whole response came
};

// `original` is stored exchange `original_id` as query/exchange_loader loads
// it. Writes through a Writer of its own on the database at `db_path`.
Result<ReplayOutcome> replay_exchange(const std::string& db_path, std::int64_t original_id, const Exchange& original,
                                      const ReplayOptions& options);

}  // namespace trafficdb
