// Reading the fields of proxy exports (HAR, Charles JSON) leniently.
//
// Exporters disagree on types: numbers arrive as strings ("22284"), -1
// stands for unknown, null for absent, bodies as text or base64, sometimes
// still compressed. These helpers read what is there, and append a caveat
// (a sentence naming the field) for anything they had to ignore, so the
// importer can report it with the entry's position.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/exchange.h"
#include "recorder/json_array_stream.h"

namespace trafficdb {

using Caveats = std::vector<std::string>;

// The member `key` of `object`; nullptr when absent, null, or `object` is not an object.
const nlohmann::json* member(const nlohmann::json& object, const char* key);

// A string member; a member of another type is ignored with a caveat.
// `where` names the object in messages ("request", "response.content").
std::optional<std::string> string_field(const nlohmann::json& object, const char* key, const char* where,
                                        Caveats& caveats);

// A number, or a number written as a string.
std::optional<double> number_field(const nlohmann::json& object, const char* key, const char* where,
                                   Caveats& caveats);

// A non-negative integer size; negative values (-1: unknown) give nullopt.
std::optional<std::int64_t> size_field(const nlohmann::json& object, const char* key, const char* where,
                                       Caveats& caveats);

// `[{"name":..., "value":...}, ...]` at message[key], in order, duplicates kept.
Headers headers_field(const nlohmann::json& message, const char* key, const char* where, Caveats& caveats);

// "1.5 MiB" / "812 bytes", for messages.
std::string bytes_text(std::uint64_t n);

// The bytes of a text field: base64-decoded when `base64`; text that is not
// valid base64 is kept as it is, with a caveat.
std::string text_field_bytes(const std::string& text, bool base64, const char* where, Caveats& caveats);

// Whether `bytes` are still in `encoding` (a Content-Encoding value):
// `surely` for gzip and zstd by their magic numbers and zlib-deflate by its
// header; `maybe` for br and raw deflate, which have none, when the bytes are
// not text (they may as well be a decoded binary body).
enum class StillEncoded { no, maybe, surely };
StillEncoded looks_still_encoded(const std::string& encoding, std::string_view bytes);

// Keeps at most max_body_bytes of body.data, recording the full size when
// known and saying what was cut. `cut_length` is set when the JSON string
// holding the body was already cut while reading: its length in the file.
void cap_body(Body& body, std::optional<std::uint64_t> cut_length, std::uint64_t max_body_bytes, const char* which,
              Caveats& caveats);

// Sets body.data to `bytes`: first undoing body.encoding when the bytes are
// evidently still encoded (exporters such as Charles write some bodies so),
// then cutting at max_body_bytes. The bytes in hand are the truth for the
// size; `declared_size` stands in only for bytes the file does not hold (the
// string was cut, or decoding hit the limit).
void set_export_body(Body& body, std::string bytes, std::optional<std::uint64_t> cut,
                     std::optional<std::int64_t> declared_size, std::uint64_t max_body_bytes, const char* which,
                     Caveats& caveats);

// base + ms, when both are known and ms is a sane duration (0 to ten
// years); otherwise nullopt, with a caveat naming `what` for a broken value.
std::optional<Micros> offset_micros(std::optional<Micros> base, std::optional<double> ms, const char* what,
                                   Caveats& caveats);

// An HTTP status (100-999); 0 and -1 (no response, unknown) and anything
// else give nullopt, the odd ones with a caveat.
std::optional<int> status_code(std::optional<double> status, const char* where, Caveats& caveats);

// The original length of the string at JSON pointer `pointer` if the input
// cut it, else nullopt.
std::optional<std::uint64_t> cut_length(const JsonElement& element, const std::string& pointer);

}  // namespace trafficdb
