#include "recorder/content_decoding.h"

#include <brotli/decode.h>
#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <vector>

namespace trafficdb {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::vector<std::string> split_codings(std::string_view encoding) {
  std::vector<std::string> codings;
  std::string current;
  for (const char c : encoding) {
    if (c == ',') {
      if (!current.empty()) codings.push_back(std::move(current));
      current.clear();
    } else if (c != ' ' && c != '\t') {
      current.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (!current.empty()) codings.push_back(std::move(current));
  codings.erase(std::remove(codings.begin(), codings.end(), "identity"), codings.end());
  return codings;
}

// Appends up to the cap; returns false once the cap is reached.
bool append_capped(DecodedBody& out, const char* data, std::size_t n, std::size_t cap) {
  const std::size_t room = cap - std::min(cap, out.data.size());
  if (n > room) {
    out.data.append(data, room);
    out.truncated = true;
    return false;
  }
  out.data.append(data, n);
  return true;
}

// window_bits: 15 + 32 (gzip or zlib, auto), 15 (zlib), -15 (raw deflate).
Result<DecodedBody> inflate_with(std::string_view input, int window_bits, std::size_t cap,
                                 const char* name) {
  DecodedBody out;
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return Status::error(std::string(name) + ": zlib init failed");
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&zs, &inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  std::vector<char> buf(kChunk);
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = buf.size() - zs.avail_out;
    if (!append_capped(out, buf.data(), produced, cap)) return out;
    if (rc == Z_STREAM_END) {
      // gzip allows several members back to back.
      if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b && window_bits > 15) {
        inflateReset(&zs);
        continue;
      }
      return out;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      out.incomplete = true;
      return out;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return Status::corrupt(std::string(name) + " data is corrupt" + (zs.msg ? std::string(": ") + zs.msg : ""));
  }
}

// The common case of gzip, a single whole member whose decoded size (its
// ISIZE trailer) is within the cap, in one call to libdeflate (several times
// faster than zlib's streaming inflate). nullopt for anything else (several
// members, a cut stream, corrupt data, too large): zlib handles those.
std::optional<DecodedBody> gunzip_whole(std::string_view input, std::size_t cap) {
  if (input.size() < 18 || static_cast<unsigned char>(input[0]) != 0x1f ||
      static_cast<unsigned char>(input[1]) != 0x8b)
    return std::nullopt;
  const auto* tail = reinterpret_cast<const unsigned char*>(input.data() + input.size() - 4);
  const std::size_t isize = std::size_t{tail[0]} | std::size_t{tail[1]} << 8 | std::size_t{tail[2]} << 16 |
                            std::size_t{tail[3]} << 24;
  if (isize > cap) return std::nullopt;
  thread_local std::unique_ptr<libdeflate_decompressor, decltype(&libdeflate_free_decompressor)> decompressor(
      libdeflate_alloc_decompressor(), &libdeflate_free_decompressor);
  if (!decompressor) return std::nullopt;
  DecodedBody out;
  out.data.resize(isize);
  std::size_t in_used = 0, produced = 0;
  const libdeflate_result rc = libdeflate_gzip_decompress_ex(decompressor.get(), input.data(), input.size(),
                                                             out.data.data(), isize, &in_used, &produced);
  if (rc != LIBDEFLATE_SUCCESS || in_used != input.size() || produced != isize) return std::nullopt;
  return out;
}

Result<DecodedBody> decode_deflate(std::string_view input, std::size_t cap) {
  // RFC 9110 says zlib-wrapped; some servers send raw deflate. A zlib header
  // has CMF=0x?8 and (CMF*256+FLG) % 31 == 0.
  const bool zlib_header = input.size() >= 2 && (static_cast<unsigned char>(input[0]) & 0x0f) == 8 &&
                           ((static_cast<unsigned char>(input[0]) << 8) | static_cast<unsigned char>(input[1])) % 31 == 0;
  return inflate_with(input, zlib_header ? 15 : -15, cap, "deflate");
}

Result<DecodedBody> decode_brotli(std::string_view input, std::size_t cap) {
  DecodedBody out;
  std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
  if (!state) return Status::error("br: decoder init failed");
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(input.data());
  size_t avail_in = input.size();
  std::vector<uint8_t> buf(kChunk);
  for (;;) {
    uint8_t* next_out = buf.data();
    size_t avail_out = buf.size();
    const BrotliDecoderResult rc =
        BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    if (!append_capped(out, reinterpret_cast<const char*>(buf.data()), buf.size() - avail_out, cap)) return out;
    if (rc == BROTLI_DECODER_RESULT_SUCCESS) return out;
    if (rc == BROTLI_DECODER_RESULT_ERROR)
      return Status::corrupt(std::string("br data is corrupt: ") +
                           BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get())));
    if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
      out.incomplete = true;
      return out;
    }
  }
}

Result<DecodedBody> decode_zstd(std::string_view input, std::size_t cap) {
  DecodedBody out;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!ctx) return Status::error("zstd: decoder init failed");
  // Bound the window a frame may ask for (RFC 8878 recommends 8 MiB for HTTP).
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, 23);
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  std::vector<char> buf(kChunk);
  size_t last = 1;
  while (in.pos < in.size || last != 0) {
    ZSTD_outBuffer outb{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ctx.get(), &outb, &in);
    if (ZSTD_isError(last)) return Status::corrupt(std::string("zstd data is corrupt: ") + ZSTD_getErrorName(last));
    if (!append_capped(out, buf.data(), outb.pos, cap)) return out;
    if (in.pos == in.size && outb.pos < outb.size && last != 0) {
      out.incomplete = true;
      return out;
    }
  }
  return out;
}

Result<DecodedBody> decode_one(const std::string& coding, std::string_view input, std::size_t cap) {
  if (coding == "gzip" || coding == "x-gzip") {
    if (auto whole = gunzip_whole(input, cap)) return std::move(*whole);
    return inflate_with(input, 15 + 32, cap, "gzip");
  }
  if (coding == "deflate") return decode_deflate(input, cap);
  if (coding == "br") return decode_brotli(input, cap);
  if (coding == "zstd") return decode_zstd(input, cap);
  return Status::not_supported("unsupported content-encoding '" + coding.substr(0, 40) + "'");
}

}  // namespace

bool is_identity_encoding(std::string_view encoding) { return split_codings(encoding).empty(); }

bool is_supported_content_encoding(std::string_view encoding) {
  for (const std::string& c : split_codings(encoding)) {
    if (c != "gzip" && c != "x-gzip" && c != "deflate" && c != "br" && c != "zstd") return false;
  }
  return true;
}

Result<DecodedBody> decode_content(std::string_view encoding, std::string_view input,
                                   std::size_t max_output) {
  const std::vector<std::string> codings = split_codings(encoding);
  DecodedBody current{std::string(input), false};
  // Codings are listed in the order they were applied; undo from the last.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    Result<DecodedBody> step = decode_one(*it, current.data, max_output);
    if (!step.is_ok()) return step.status();
    step->truncated = step->truncated || current.truncated;
    step->incomplete = step->incomplete || current.incomplete;
    current = std::move(step).value();
  }
  if (current.data.size() > max_output) {
    current.data.resize(max_output);
    current.truncated = true;
  }
  return current;
}

}  // namespace trafficdb
