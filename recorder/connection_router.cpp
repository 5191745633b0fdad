#include "recorder/connection_router.h"

#include <vector>

namespace trafficdb {
namespace {

enum class Protocol { undecided, tls, http2, http1 };

H2cUpgradeFactory h2c_upgrade_factory(const ConnectionProtocols& p) {
  return [&p](const ConnectionInfo& info, HttpMessage&& request) -> std::unique_ptr<StreamHandler> {
    return std::make_unique<Http2Connection>(info, *p.http2, *p.budget, *p.output, nullptr, std::move(request));
  };
}

// An HTTP/2 SETTINGS frame on stream 0: what an HTTP/2 server (gRPC's, say)
// sends first, before the client's preface is in the capture.
bool looks_like_settings_frame(std::string_view b) {
  return b.size() >= 9 && b[3] == 0x04 && (b[4] == 0x00 || b[4] == 0x01) && b[5] == 0 && b[6] == 0 && b[7] == 0 &&
         b[8] == 0;
}

bool looks_like_tls(std::string_view b) {
  if (b.size() < 3) return false;
  const auto type = static_cast<unsigned char>(b[0]);
  return (type == 0x16 || type == 0x17) && b[1] == 0x03 && static_cast<unsigned char>(b[2]) <= 0x04;
}

class ConnectionRouter final : public StreamHandler {
 public:
  ConnectionRouter(const ConnectionInfo& info, const ConnectionProtocols& p) : info_(info), p_(p) {}

  void on_data(Side side, std::string_view bytes, Micros at) override {
    if (handler_) return handler_->on_data(side, bytes, at);
    held_.push_back({side, std::string(bytes), at});
    held_bytes_ += bytes.size();
    if (held_bytes_ > kMaxHeld) return start(Protocol::http1, side);
    std::string& first = first_[static_cast<int>(side)];
    first.append(bytes.substr(0, std::min(bytes.size(), kHttp2Preface.size() - std::min(first.size(), kHttp2Preface.size()))));
    const Protocol decided = decide(first);
    if (decided != Protocol::undecided) start(decided, side);
  }

  void on_gap(Side side, std::uint64_t length, Micros at) override {
    if (!handler_) start(Protocol::http1, side);
    handler_->on_gap(side, length, at);
  }
  void on_end(Side side, StreamEnd how, Micros at) override {
    if (!handler_) start(Protocol::http1, side);
    handler_->on_end(side, how, at);
  }
  void on_close(Micros at) override {
    if (!handler_) start(Protocol::http1, Side::originator);
    handler_->on_close(at);
  }
  bool wants_data() const override { return !handler_ || handler_->wants_data(); }

 private:
  struct Held {
    Side side;
    std::string bytes;
    Micros at;
  };

  Protocol decide(std::string_view first) const {
    if (first.size() < 3 && (first.empty() || first[0] == 0x16 || first[0] == 0x17)) return Protocol::undecided;
    // A server's SETTINGS first: the client's bytes will say (its preface).
    if (looks_like_settings_frame(first) || (first.size() < 9 && first[0] == 0x00)) return Protocol::undecided;
    if (looks_like_tls(first)) return Protocol::tls;
    const std::size_t n = std::min(first.size(), kHttp2Preface.size());
    if (first.substr(0, n) == kHttp2Preface.substr(0, n)) {
      if (n == kHttp2Preface.size()) return Protocol::http2;
      // "PRI" could still be HTTP/1.x's PRI method... only the whole preface says.
      return Protocol::undecided;
    }
    return Protocol::http1;
  }

  void start(Protocol protocol, Side deciding_side) {
    switch (protocol) {
      case Protocol::tls:
        if (p_.tls) {
          handler_ = p_.tls->open(info_);
        } else {
          handler_ = std::make_unique<HttpConnection>(info_, *p_.http, *p_.budget, *p_.output);
        }
        break;
      case Protocol::http2: {
        // The side that sent the preface is the client.
        ConnectionInfo info = info_;
        swapped_ = deciding_side != Side::originator;
        if (swapped_) std::swap(info.originator, info.responder);
        info.saw_syn = true;
        handler_ = std::make_unique<Http2Connection>(info, *p_.http2, *p_.budget, *p_.output, nullptr);
        handler_ = std::make_unique<SideSwap>(std::move(handler_), swapped_);
        break;
      }
      case Protocol::undecided:
      case Protocol::http1:
        handler_ = std::make_unique<HttpConnection>(info_, *p_.http, *p_.budget, *p_.output, nullptr,
                                                    h2c_upgrade_factory(p_));
        break;
    }
    std::vector<Held> held = std::move(held_);
    held_.clear();
    for (Held& h : held) handler_->on_data(h.side, h.bytes, h.at);
  }

  // Presents the sides to `inner` the other way round when the client is the responder.
  class SideSwap final : public StreamHandler {
   public:
    SideSwap(std::unique_ptr<StreamHandler> inner, bool swap) : inner_(std::move(inner)), swap_(swap) {}
    void on_data(Side s, std::string_view b, Micros at) override { inner_->on_data(map(s), b, at); }
    void on_gap(Side s, std::uint64_t n, Micros at) override { inner_->on_gap(map(s), n, at); }
    void on_end(Side s, StreamEnd how, Micros at) override { inner_->on_end(map(s), how, at); }
    void on_close(Micros at) override { inner_->on_close(at); }
    bool wants_data() const override { return inner_->wants_data(); }

   private:
    Side map(Side s) const { return swap_ ? other(s) : s; }
    std::unique_ptr<StreamHandler> inner_;
    bool swap_;
  };

  const ConnectionInfo info_;
  const ConnectionProtocols& p_;
  std::unique_ptr<StreamHandler> handler_;
  static constexpr std::size_t kMaxHeld = 64u << 10;
  std::vector<Held> held_;
  std::size_t held_bytes_ = 0;
  std::string first_[2];
  bool swapped_ = false;
};

}  // namespace

StreamHandlerFactory connection_router_factory(const ConnectionProtocols& protocols) {
  return [&protocols](const ConnectionInfo& info) -> std::unique_ptr<StreamHandler> {
    return std::make_unique<ConnectionRouter>(info, protocols);
  };
}

PlaintextHandlerFactory tls_plaintext_factory(const ConnectionProtocols& protocols) {
  return [&protocols](const ConnectionInfo& info, const TlsFacts& facts) -> std::unique_ptr<StreamHandler> {
    if (facts.alpn == "h2")
      return std::make_unique<Http2Connection>(info, *protocols.http2, *protocols.budget, *protocols.output, &facts);
    return std::make_unique<HttpConnection>(info, *protocols.http, *protocols.budget, *protocols.output, &facts);
  };
}

}  // namespace trafficdb
