// The text bodies of the pcap workload (pcap_http_messages.h builds its
// pools from them): JSON API responses and HTML pages with a request id to
// patch on every use, minified JavaScript and CSS, SVG icon sheets, and the
// words paths are made of. All randomness comes from the caller's
// WorkloadRandom.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "workload_random.h"

namespace bench::pcap_workload {

// Digits of the request id json_text and html_text leave to be patched.
inline constexpr std::size_t kRequestIdDigits = 16;

std::string_view word(WorkloadRandom& rng);
// `n` words joined by `separator`.
std::string words(WorkloadRandom& rng, std::size_t n, char separator);
std::string number(std::uint64_t v);

// A JSON API response of about `target` bytes; `id_offset` is where its
// kRequestIdDigits request id starts.
std::string json_text(WorkloadRandom& rng, std::size_t target, std::size_t& id_offset);
// An HTML page of about `target` bytes; likewise.
std::string html_text(WorkloadRandom& rng, std::size_t target, std::size_t& id_offset);
// Minified-looking JavaScript of about `target` bytes.
std::string script_text(WorkloadRandom& rng, std::size_t target);
// Minified CSS of about `target` bytes.
std::string style_text(WorkloadRandom& rng, std::size_t target);
// An SVG icon sheet of about `target` bytes.
std::string svg_text(WorkloadRandom& rng, std::size_t target);

}  // namespace bench::pcap_workload
