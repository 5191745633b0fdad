// Redaction: outputs mask secrets by default; the store keeps the real values.
//
// Masked by default: Authorization and Proxy-Authorization (the scheme is
// kept: "Bearer [REDACTED]"), Cookie and Set-Cookie (cookie names and
// attributes kept, values masked), API-key and token headers (X-Api-Key,
// X-Auth-Token, ... and any header whose name contains token, secret,
// password, api-key or signature), and token-like query parameters
// (access_token, api_key, password, sig, X-Amz-Signature, pin, otp, ... and
// any whose name contains token, secret, password, api key, private_key or
// credential) — the same names mask JSON keys and form fields in bodies
// (query/body_redaction.h). Callers add names with RedactionRules; an
// explicit option in each front end turns it off.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/exchange.h"

namespace trafficdb {

inline constexpr std::string_view kRedacted = "[REDACTED]";

// More names to mask, for every output of the process: a comma-separated
// list of header, query parameter, JSON key or form field names
// ("ssn,X-Internal-Key"), read once.
inline constexpr const char* kRedactEnvironmentVariable = "TRAFFICDB_REDACT";

struct RedactionRules {
  std::vector<std::string> header_names;     // exact, lower-case
  std::vector<std::string> header_fragments; // a name containing one is masked
  std::vector<std::string> query_params;     // exact, lower-case
  std::vector<std::string> param_fragments;
  std::vector<std::string> added_names;      // from with_extra and $TRAFFICDB_REDACT: masked whatever their value

  // The built-in names plus those in $TRAFFICDB_REDACT.
  static const RedactionRules& defaults();
  // The defaults plus these names (headers or query parameters).
  static RedactionRules with_extra(const std::vector<std::string>& headers, const std::vector<std::string>& params);

  bool secret_header(std::string_view name) const;
  bool secret_param(std::string_view name) const;
};

// The value to show for header `name`.
std::string redact_header_value(std::string_view name, std::string_view value,
                                const RedactionRules& rules = RedactionRules::defaults());

Headers redact_headers(const Headers& headers, const RedactionRules& rules = RedactionRules::defaults());

// "a=1&access_token=xyz" -> "a=1&access_token=[REDACTED]".
std::string redact_query_string(std::string_view query, const RedactionRules& rules = RedactionRules::defaults());

// The URL with its query string redacted.
std::string redact_url(std::string_view url, const RedactionRules& rules = RedactionRules::defaults());

}  // namespace trafficdb
