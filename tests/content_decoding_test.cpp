#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>

#include "recorder/content_decoding.h"

using namespace trafficdb;

namespace {

// window_bits: 15 + 16 gzip, 15 zlib, -15 raw deflate.
std::string deflate_with(const std::string& input, int window_bits) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, input.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string brotli(const std::string& input) {
  std::string out(BrotliEncoderMaxCompressedSize(input.size()) + 16, '\0');
  size_t n = out.size();
  REQUIRE(BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, input.size(),
                                reinterpret_cast<const uint8_t*>(input.data()), &n,
                                reinterpret_cast<uint8_t*>(out.data())));
  out.resize(n);
  return out;
}

std::string zstd(const std::string& input) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 3);
  REQUIRE_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

const std::string kText = [] {
  std::string s;
  for (int i = 0; i < 2000; ++i) s += "{\"id\":" + std::to_string(i) + ",\"name\":\"item\"}\n";
  return s;
}();

}  // namespace

TEST_CASE("Each content coding decodes", "[decoding]") {
  const std::size_t cap = 1 << 20;
  for (const auto& [coding, encoded] : std::vector<std::pair<std::string, std::string>>{
           {"gzip", deflate_with(kText, 15 + 16)},
           {"x-gzip", deflate_with(kText, 15 + 16)},
           {"deflate", deflate_with(kText, 15)},
           {"deflate", deflate_with(kText, -15)},  // the raw form some servers send
           {"br", brotli(kText)},
           {"zstd", zstd(kText)},
           {"identity", kText},
           {"", kText}}) {
    INFO(coding);
    auto decoded = decode_content(coding, encoded, cap);
    REQUIRE(decoded.is_ok());
    CHECK(decoded->data == kText);
    CHECK_FALSE(decoded->truncated);
  }
}

TEST_CASE("Stacked codings are undone last first, and gzip members concatenate", "[decoding]") {
  const std::string stacked = brotli(deflate_with(kText, 15 + 16));  // gzip, then br
  auto decoded = decode_content("gzip, br", stacked, 1 << 20);
  REQUIRE(decoded.is_ok());
  CHECK(decoded->data == kText);

  const std::string two_members = deflate_with("hello ", 15 + 16) + deflate_with("world", 15 + 16);
  auto joined = decode_content("gzip", two_members, 1 << 20);
  REQUIRE(joined.is_ok());
  CHECK(joined->data == "hello world");
}

TEST_CASE("A decompression bomb is cut at the cap", "[decoding][hostile]") {
  const std::string zeros(64u << 20, '\0');  // 64 MiB of zeros: ~64 KiB compressed
  for (const auto& [coding, encoded] : std::vector<std::pair<std::string, std::string>>{
           {"gzip", deflate_with(zeros, 15 + 16)}, {"br", brotli(zeros)}, {"zstd", zstd(zeros)}}) {
    INFO(coding);
    CHECK(encoded.size() < (1u << 20));
    auto decoded = decode_content(coding, encoded, 1u << 20);
    REQUIRE(decoded.is_ok());
    CHECK(decoded->truncated);
    CHECK(decoded->data.size() == (1u << 20));
  }
}

TEST_CASE("Corrupt, truncated and unknown codings fail with a reason", "[decoding][hostile]") {
  std::string gz = deflate_with(kText, 15 + 16);
  // A stream cut short yields what it held, marked incomplete.
  auto truncated = decode_content("gzip", gz.substr(0, gz.size() / 2), 1 << 20);
  REQUIRE(truncated.is_ok());
  CHECK(truncated->incomplete);
  CHECK_FALSE(truncated->data.empty());
  CHECK(kText.compare(0, truncated->data.size(), truncated->data) == 0);

  std::string corrupt = gz;
  for (std::size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  CHECK_FALSE(decode_content("gzip", corrupt, 1 << 20).is_ok());
  CHECK_FALSE(decode_content("br", "not brotli at all, just text", 1 << 20).is_ok());
  CHECK_FALSE(decode_content("zstd", "not zstd", 1 << 20).is_ok());

  auto unknown = decode_content("compress", "x", 1 << 20);
  REQUIRE_FALSE(unknown.is_ok());
  CHECK(unknown.status().message().find("compress") != std::string::npos);
  CHECK_FALSE(is_supported_content_encoding("gzip, compress"));
  CHECK(is_supported_content_encoding("GZIP , br"));
  CHECK(is_identity_encoding(" identity "));
}
