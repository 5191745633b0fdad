// ContentFence: marks captured content (bodies, header values, URLs: what
// came from the network) in a tool's text so that a model can tell it from
// what the server says, and so that the content cannot end the mark early.
//
// A fence is `<<<captured-HEX` on a line of its own, the content, then
// `captured-HEX>>>` on a line of its own. HEX is one boundary per response:
// 16 hex digits (64 bits) from the OS's CSPRNG, drawn again while it occurs
// in the content the response will show, so a body cannot close a fence
// whose boundary it could not know, nor happen to contain it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace trafficdb::mcp {

class ContentFence {
 public:
  // Fills `out` with `size` random bytes.
  using RandomBytes = std::function<void(unsigned char* out, std::size_t size)>;

  // A fence whose boundary occurs nowhere in `content` (everything the
  // response will wrap, e.g. the serialized result it is rendered from).
  // `random` defaults to OpenSSL's RAND_bytes; tests pass their own.
  static ContentFence for_content(std::string_view content, const RandomBytes& random = {});

  // "captured-" followed by the 16 hex digits.
  const std::string& boundary() const { return boundary_; }

  // `captured` between the opening and the closing line; a newline ends the
  // closing line.
  std::string wrap(std::string_view captured) const;

 private:
  explicit ContentFence(std::string boundary) : boundary_(std::move(boundary)) {}
  std::string boundary_;
};

}  // namespace trafficdb::mcp
