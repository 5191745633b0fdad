// Building raw WebSocket frames (RFC 6455) for tests.
#pragma once

#include <zlib.h>

#include <string>

namespace trafficdb::test {

// One frame; masked with `mask` when given (as a client sends).
inline std::string ws_frame(int opcode, const std::string& payload, bool fin = true, const char* mask = nullptr,
                            bool rsv1 = false) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
  const unsigned char mask_bit = mask ? 0x80 : 0;
  if (payload.size() < 126) {
    f += static_cast<char>(mask_bit | payload.size());
  } else if (payload.size() < 65536) {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  } else {
    f += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((static_cast<unsigned long long>(payload.size()) >> (8 * i)) & 0xff);
  }
  if (mask) {
    f.append(mask, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
  } else {
    f += payload;
  }
  return f;
}

// permessage-deflate payload of one message: raw deflate, sync flush, the
// trailing 00 00 ff ff removed (RFC 7692 §7.2.1). `zs` keeps the context.
inline std::string ws_deflate(z_stream& zs, const std::string& text) {
  std::string out(text.size() + 256, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_SYNC_FLUSH);
  out.resize(out.size() - zs.avail_out);
  out.resize(out.size() - 4);
  return out;
}

}  // namespace trafficdb::test
