// FrameReader: one direction of an HTTP/2 connection (RFC 9113 §4) cut into
// frames, from its bytes in order, whatever the TCP segments or TLS records
// they came in.
//
// The client's direction starts with the connection preface
// ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), which is checked and passed over. A
// frame longer than max_frame_bytes (the peer's SETTINGS_MAX_FRAME_SIZE, at
// most 2^24 - 1) or a preface that does not match stops the reader: error()
// says why and nothing more is read. Memory: at most one frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace trafficdb {

namespace h2_frame {
inline constexpr std::uint8_t data = 0, headers = 1, priority = 2, rst_stream = 3, settings = 4, push_promise = 5,
                              ping = 6, goaway = 7, window_update = 8, continuation = 9;
}
namespace h2_flag {
inline constexpr std::uint8_t end_stream = 0x1, ack = 0x1, end_headers = 0x4, padded = 0x8, priority = 0x20;
}

inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

struct Http2Frame {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream_id = 0;
  std::string_view payload;
};

class FrameReader {
 public:
  using OnFrame = std::function<void(const Http2Frame& frame)>;
  FrameReader(bool expect_preface, OnFrame on_frame)
      : preface_left_(expect_preface ? kHttp2Preface.size() : 0), on_frame_(std::move(on_frame)) {}

  void feed(std::string_view bytes);

  // The largest frame payload the reader accepts (the receiver's SETTINGS_MAX_FRAME_SIZE).
  void set_max_frame_bytes(std::size_t bytes) { max_frame_bytes_ = bytes; }

  bool stopped() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  void stop(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }

  std::uint64_t frames() const { return frames_; }

 private:
  std::size_t preface_left_;
  OnFrame on_frame_;
  std::size_t max_frame_bytes_ = 16384;
  std::string partial_;  // an incomplete frame, header included
  std::string error_;
  std::uint64_t frames_ = 0;
};

}  // namespace trafficdb
