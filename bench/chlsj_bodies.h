// The bodies of chlsj_workload's transactions, in the forms Charles writes
// them: JSON, HTML and script text (as sent, or decoded from gzip), gzip
// kept compressed as base64, base64 PNG-like images, and the TLS records a
// CONNECT tunnel carries. All randomness comes from the export's one
// WorkloadRandom, drawn in a fixed order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "charles_json.h"
#include "chlsj_vocabulary.h"
#include "chlsj_workload.h"
#include "workload_random.h"

namespace bench::chlsj_workload {

// TLS application-data records of about `size` bytes.
std::string tls_records(WorkloadRandom& rng, std::size_t size);

// The body of a POST or PUT to `host` (form data, telemetry events or JSON)
// of transaction `index`.
BodyOut request_body(WorkloadRandom& rng, const Host& host, std::uint64_t index);

// A response body of the host's kind for `status` (none for 204, 301, 302,
// 304), counted in `stats`.
BodyOut response_body(WorkloadRandom& rng, const Host& host, int status, const std::string& path, GenStats& stats);

}  // namespace bench::chlsj_workload
