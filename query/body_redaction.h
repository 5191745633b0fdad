// BodyRedaction: secrets inside bodies, masked by default wherever secrets in
// headers are (get_exchange, show, HAR export, curl output).
//
// - JSON (a JSON content type, or a text that starts with { or [): the string
//   value of every key named like a secret — the query parameter names of
//   RedactionRules (password, token, access_token, client_secret, api_key,
//   session, jwt, ...) and any key containing token, secret or password — is
//   replaced by [REDACTED]; a number too under a key containing password or
//   secret, named pin, otp, cvv or cvc, or added by the caller
//   (RedactionRules::with_extra, $TRAFFICDB_REDACT). Found by a linear scan of the text, not a parse: formatting
//   is kept, and broken JSON is masked as far as it can be read.
// - Forms (application/x-www-form-urlencoded): fields named like secrets, as
//   in query strings.
// - Any text: values shaped like secrets wherever they are — "Bearer <token>",
//   JWTs, AWS access key ids, GitHub, Slack, Stripe and Google API keys, PEM
//   private keys (RE2: linear time on any input).
//
// The masked text is shorter or longer than the stored body: ranges of a
// redacted body count in the redacted text. Names added to RedactionRules
// (params) apply to JSON keys and form fields too.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "query/redaction.h"

namespace trafficdb {

struct RedactedBody {
  std::string text;
  std::size_t masked = 0;  // values replaced
};

// nullopt when nothing in `body` needed masking (the common case: no copy).
std::optional<RedactedBody> redact_body(std::string_view body, std::string_view content_type,
                                        const RedactionRules& rules = RedactionRules::defaults());

}  // namespace trafficdb
