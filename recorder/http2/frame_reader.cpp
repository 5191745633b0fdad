#include "recorder/http2/frame_reader.h"

namespace trafficdb {
namespace {

constexpr std::size_t kFrameHeader = 9;

std::size_t payload_length(std::string_view header) {
  return static_cast<std::size_t>(static_cast<unsigned char>(header[0])) << 16 |
         static_cast<std::size_t>(static_cast<unsigned char>(header[1])) << 8 |
         static_cast<unsigned char>(header[2]);
}

Http2Frame frame_of(std::string_view frame) {
  Http2Frame f;
  f.type = static_cast<std::uint8_t>(frame[3]);
  f.flags = static_cast<std::uint8_t>(frame[4]);
  f.stream_id = (static_cast<std::uint32_t>(static_cast<unsigned char>(frame[5])) << 24 |
                 static_cast<std::uint32_t>(static_cast<unsigned char>(frame[6])) << 16 |
                 static_cast<std::uint32_t>(static_cast<unsigned char>(frame[7])) << 8 |
                 static_cast<unsigned char>(frame[8])) &
                0x7fffffffu;
  f.payload = frame.substr(kFrameHeader);
  return f;
}

}  // namespace

void FrameReader::feed(std::string_view bytes) {
  while (!bytes.empty() && !stopped()) {
    if (preface_left_ > 0) {
      const std::size_t offset = kHttp2Preface.size() - preface_left_;
      const std::size_t n = std::min(preface_left_, bytes.size());
      if (bytes.substr(0, n) != kHttp2Preface.substr(offset, n)) {
        stop("the client's bytes do not start with the HTTP/2 connection preface");
        return;
      }
      preface_left_ -= n;
      bytes.remove_prefix(n);
      continue;
    }
    if (partial_.empty()) {
      // Whole frames straight from the input.
      while (bytes.size() >= kFrameHeader && !stopped()) {
        const std::size_t length = payload_length(bytes);
        if (length > max_frame_bytes_) {
          stop("a frame of " + std::to_string(length) + " bytes, past the largest allowed (" +
               std::to_string(max_frame_bytes_) + ")");
          return;
        }
        if (bytes.size() < kFrameHeader + length) break;
        ++frames_;
        on_frame_(frame_of(bytes.substr(0, kFrameHeader + length)));
        bytes.remove_prefix(kFrameHeader + length);
      }
      if (stopped() || bytes.empty()) return;
    }
    // Gather an incomplete frame.
    if (partial_.size() < kFrameHeader) {
      const std::size_t n = std::min(kFrameHeader - partial_.size(), bytes.size());
      partial_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (partial_.size() < kFrameHeader) return;
      if (payload_length(partial_) > max_frame_bytes_) {
        stop("a frame of " + std::to_string(payload_length(partial_)) + " bytes, past the largest allowed (" +
             std::to_string(max_frame_bytes_) + ")");
        return;
      }
    }
    const std::size_t total = kFrameHeader + payload_length(partial_);
    const std::size_t n = std::min(total - partial_.size(), bytes.size());
    partial_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (partial_.size() == total) {
      const std::string frame = std::move(partial_);
      partial_.clear();
      ++frames_;
      on_frame_(frame_of(frame));
    }
  }
}

}  // namespace trafficdb
