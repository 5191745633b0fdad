// HpackDecoder: the header blocks of one direction of an HTTP/2 connection,
// decoded with libnghttp2's HPACK inflater (RFC 7541), in the order they were
// sent: the dynamic table is shared by every stream of the direction.
//
// Bounds (HPACK bombs): a decoded list keeps at most max_list_bytes of names
// and values (RFC 9113's SETTINGS_MAX_HEADER_LIST_SIZE counting, 32 bytes
// per field) and max_fields fields; past either the block is still decoded
// to the end, so the table stays right, but the list is marked cut.
//
// A block that refers to table entries the decoder never saw (the capture
// started mid-connection), or is otherwise malformed, fails with
// Status::corrupt; the table cannot be trusted after that, so every later
// block of the direction fails too: their exchanges are marked, not guessed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "model/exchange.h"

namespace trafficdb {

struct HeaderBlock {
  Headers fields;      // in order, pseudo-header fields (":method", ...) included
  bool cut = false;    // the list passed a bound: fields holds its beginning
};

class HpackDecoder {
 public:
  struct Limits {
    std::size_t max_list_bytes = 256u << 10;
    std::size_t max_fields = 1000;
  };
  HpackDecoder() : HpackDecoder(Limits{}) {}
  explicit HpackDecoder(Limits limits);
  ~HpackDecoder();
  HpackDecoder(const HpackDecoder&) = delete;
  HpackDecoder& operator=(const HpackDecoder&) = delete;

  // Decodes one whole header block (HEADERS or PUSH_PROMISE fragment plus
  // its CONTINUATIONs, padding removed).
  Result<HeaderBlock> decode(std::string_view block);

  // The peer's SETTINGS_HEADER_TABLE_SIZE: the largest table the encoder
  // may use from now on.
  void set_max_table_size(std::size_t bytes);

  bool broken() const { return !broken_.is_ok(); }

 private:
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;
  Limits limits_;
  Status broken_;
};

}  // namespace trafficdb
