// gzip (RFC 1952) compression for the benchmarks' generated bodies, with zlib
// at its default level, as a web server sends `Content-Encoding: gzip`.
#pragma once

#include <string>
#include <string_view>

namespace bench {

// `in` as one gzip member. Throws std::runtime_error if zlib fails.
std::string gzip(std::string_view in);

}  // namespace bench
