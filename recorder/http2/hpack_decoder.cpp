#include "recorder/http2/hpack_decoder.h"

#include <nghttp2/nghttp2.h>

namespace trafficdb {

struct HpackDecoder::Inflater {
  nghttp2_hd_inflater* ptr = nullptr;
  ~Inflater() {
    if (ptr) nghttp2_hd_inflate_del(ptr);
  }
};

HpackDecoder::HpackDecoder(Limits limits) : inflater_(std::make_unique<Inflater>()), limits_(limits) {
  if (nghttp2_hd_inflate_new(&inflater_->ptr) != 0) broken_ = Status::error("cannot create an HPACK decoder");
}

HpackDecoder::~HpackDecoder() = default;

void HpackDecoder::set_max_table_size(std::size_t bytes) {
  if (broken()) return;
  if (nghttp2_hd_inflate_change_table_size(inflater_->ptr, bytes) != 0)
    broken_ = Status::corrupt("the HPACK table size could not be changed");
}

Result<HeaderBlock> HpackDecoder::decode(std::string_view block) {
  if (broken()) return broken_;
  HeaderBlock out;
  std::size_t list_bytes = 0;
  auto in = reinterpret_cast<const std::uint8_t*>(block.data());
  std::size_t left = block.size();
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    const auto used = nghttp2_hd_inflate_hd2(inflater_->ptr, &nv, &flags, in, left, 1);
    if (used < 0) {
      broken_ = Status::corrupt(std::string("header block not decodable (") + nghttp2_strerror(static_cast<int>(used)) +
                                "): it refers to HPACK state the capture does not hold, or is malformed");
      return broken_;
    }
    in += used;
    left -= static_cast<std::size_t>(used);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      const std::size_t cost = nv.namelen + nv.valuelen + 32;
      if (!out.cut && (list_bytes + cost > limits_.max_list_bytes || out.fields.size() >= limits_.max_fields)) {
        out.cut = true;
      } else if (!out.cut) {
        list_bytes += cost;
        out.fields.push_back({std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                              std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen)});
      }
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater_->ptr);
      break;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) break;
  }
  return out;
}

}  // namespace trafficdb
