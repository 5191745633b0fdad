#include "recorder/websocket_decoder.h"

#include <zlib.h>

#include <algorithm>

namespace trafficdb {

// A raw-deflate stream kept across messages (context takeover).
struct WebSocketDecoder::Inflater {
  z_stream zs{};
  bool ok = false;
  Inflater() { ok = inflateInit2(&zs, -15) == Z_OK; }
  ~Inflater() {
    if (ok) inflateEnd(&zs);
  }
  // Inflates one message (with the 00 00 ff ff tail RFC 7692 strips), output capped.
  Status inflate_message(std::string_view compressed, std::size_t cap, std::string& out, std::uint64_t& full_size) {
    if (!ok) return Status::error("permessage-deflate: zlib init failed");
    std::string input(compressed);
    input.append("\x00\x00\xff\xff", 4);
    zs.next_in = reinterpret_cast<Bytef*>(input.data());
    zs.avail_in = static_cast<uInt>(input.size());
    char buf[16384];
    full_size = 0;
    while (zs.avail_in > 0) {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      const int rc = inflate(&zs, Z_SYNC_FLUSH);
      const std::size_t produced = sizeof buf - zs.avail_out;
      full_size += produced;
      if (out.size() < cap) out.append(buf, std::min(produced, cap - out.size()));
      if (rc == Z_STREAM_END) {
        inflateReset(&zs);  // a sender that ended its stream starts a new one
        continue;
      }
      if (rc == Z_BUF_ERROR && produced == 0) break;
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        return Status::error(std::string("permessage-deflate data is corrupt") + (zs.msg ? std::string(": ") + zs.msg : ""));
      // Past the cap nothing more is kept, but the stream must still be read
      // to its end (the next message refers back into it), up to a ratio
      // that only a bomb exceeds.
      if (full_size > 64u * cap) return Status::error("permessage-deflate message inflates past 64 times the limit");
    }
    return Status::ok();
  }
};

WebSocketDecoder::WebSocketDecoder(WebSocketMessage::Sender sender, std::size_t max_message_bytes,
                                   std::size_t max_total_bytes)
    : sender_(sender), max_message_(max_message_bytes), max_total_(max_total_bytes) {}

WebSocketDecoder::~WebSocketDecoder() = default;

Status WebSocketDecoder::fail(std::string message) {
  error_ = Status::error("WebSocket " + std::string(sender_ == WebSocketMessage::Sender::client ? "client" : "server") +
                         " frames at byte " + std::to_string(offset_) + ": " + message);
  return error_;
}

void WebSocketDecoder::append_payload(std::string_view bytes) {
  std::string& target = opcode_ >= 8 ? control_payload_ : message_payload_;
  if (opcode_ < 8) message_size_ += bytes.size();
  const std::size_t room = max_message_ > target.size() ? max_message_ - target.size() : 0;
  target.append(bytes.data(), std::min(room, bytes.size()));
}

Status WebSocketDecoder::end_frame(std::vector<WebSocketMessage>& out, std::optional<Micros> at) {
  in_payload_ = false;
  header_.clear();
  if (opcode_ >= 8) {
    WebSocketMessage m;
    m.sender = sender_;
    m.opcode = opcode_;
    m.size = static_cast<std::int64_t>(control_payload_.size());
    m.payload = std::move(control_payload_);
    m.at = at;
    control_payload_.clear();
    out.push_back(std::move(m));
    return Status::ok();
  }
  if (!fin_) return Status::ok();
  WebSocketMessage m;
  m.sender = sender_;
  m.opcode = message_opcode_;
  m.at = at;
  if (message_compressed_) {
    if (!inflater_) inflater_ = std::make_unique<Inflater>();
    std::uint64_t full = 0;
    if (Status s = inflater_->inflate_message(message_payload_, max_message_, m.payload, full); !s.is_ok())
      return fail(s.message());
    m.size = static_cast<std::int64_t>(full);
  } else {
    m.payload = std::move(message_payload_);
    m.size = static_cast<std::int64_t>(message_size_);
  }
  message_payload_.clear();
  message_size_ = 0;
  in_message_ = false;
  total_kept_ += m.payload.size();
  if (total_kept_ > max_total_) return fail("messages beyond " + std::to_string(max_total_) + " bytes in all are not kept");
  out.push_back(std::move(m));
  return Status::ok();
}

Status WebSocketDecoder::feed(std::string_view bytes, std::vector<WebSocketMessage>& out, std::optional<Micros> at) {
  if (!error_.is_ok()) return error_;
  while (!bytes.empty()) {
    if (!in_payload_) {
      // Gather the header: 2 bytes, then the extended length and mask key.
      header_.push_back(bytes.front());
      bytes.remove_prefix(1);
      ++offset_;
      if (header_.size() < 2) continue;
      const auto b0 = static_cast<unsigned char>(header_[0]), b1 = static_cast<unsigned char>(header_[1]);
      const unsigned len7 = b1 & 0x7f;
      const std::size_t need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) ? 4 : 0);
      if (header_.size() < need) continue;

      fin_ = b0 & 0x80;
      rsv1_ = b0 & 0x40;
      opcode_ = b0 & 0x0f;
      masked_ = b1 & 0x80;
      std::uint64_t length = len7;
      std::size_t pos = 2;
      if (len7 == 126) {
        length = (static_cast<unsigned char>(header_[2]) << 8) | static_cast<unsigned char>(header_[3]);
        pos = 4;
      } else if (len7 == 127) {
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | static_cast<unsigned char>(header_[2 + i]);
        pos = 10;
        if (length >> 63) return fail("frame length has the most significant bit set");
      }
      if (masked_) std::copy(header_.begin() + pos, header_.begin() + pos + 4, mask_);
      mask_pos_ = 0;
      remaining_ = length;

      if ((opcode_ >= 3 && opcode_ <= 7) || opcode_ >= 11) return fail("reserved opcode " + std::to_string(opcode_));
      if (opcode_ >= 8) {
        if (!fin_ || length > 125) return fail("control frame fragmented or longer than 125 bytes");
        control_payload_.clear();
      } else if (opcode_ == 0) {
        if (!in_message_) return fail("continuation frame with no message to continue");
      } else {
        if (in_message_) return fail("new data frame before the previous message ended");
        in_message_ = true;
        message_opcode_ = opcode_;
        message_compressed_ = rsv1_;
        message_payload_.clear();
        message_size_ = 0;
      }
      in_payload_ = true;
      if (remaining_ == 0) {
        if (Status s = end_frame(out, at); !s.is_ok()) return s;
      }
      continue;
    }

    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
    if (masked_) {
      std::string chunk(bytes.substr(0, take));
      for (char& c : chunk) c = static_cast<char>(c ^ mask_[mask_pos_++ & 3]);
      append_payload(chunk);
    } else {
      append_payload(bytes.substr(0, take));
    }
    bytes.remove_prefix(take);
    offset_ += take;
    remaining_ -= take;
    if (remaining_ == 0) {
      if (Status s = end_frame(out, at); !s.is_ok()) return s;
    }
  }
  return Status::ok();
}

Status WebSocketDecoder::finish() const {
  if (!error_.is_ok()) return error_;
  if (in_payload_ || !header_.empty()) return Status::error("WebSocket stream ends inside a frame");
  if (in_message_) return Status::error("WebSocket stream ends inside a fragmented message");
  return Status::ok();
}

}  // namespace trafficdb
