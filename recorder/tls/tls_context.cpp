#include "recorder/tls/tls_connection.h"

namespace trafficdb {

// What the reassembler holds for a TLS connection: the connection itself
// may outlive it (TlsContext::closed_waiting_).
class TlsContext::Handle final : public StreamHandler {
 public:
  Handle(TlsContext& context, std::shared_ptr<TlsConnection> c) : context_(context), c_(std::move(c)) {}
  void on_data(Side side, std::string_view bytes, Micros at) override { c_->on_data(side, bytes, at); }
  void on_gap(Side side, std::uint64_t length, Micros at) override { c_->on_gap(side, length, at); }
  void on_end(Side side, StreamEnd how, Micros at) override { c_->on_end(side, how, at); }
  void on_close(Micros at) override {
    c_->on_close(at);
    if (c_->close_deferred()) context_.closed_waiting_[c_.get()] = c_;
  }

 private:
  TlsContext& context_;
  std::shared_ptr<TlsConnection> c_;
};

TlsContext::TlsContext(const KeyLog& keys, TlsOptions options, PlaintextHandlerFactory inner, CaptureOutput& output)
    : keys_(keys), options_(options), inner_(std::move(inner)), output_(output) {}

TlsContext::~TlsContext() = default;

std::unique_ptr<StreamHandler> TlsContext::open(const ConnectionInfo& info) {
  return std::make_unique<Handle>(*this, std::make_shared<TlsConnection>(info, *this));
}

void TlsContext::keys_arrived(Micros at) {
  const std::set<TlsConnection*> waiting = waiting_;
  for (TlsConnection* c : waiting) c->retry_keys(at);
  for (auto it = closed_waiting_.begin(); it != closed_waiting_.end();)
    it = it->first->close_deferred() ? std::next(it) : closed_waiting_.erase(it);
}

void TlsContext::expire(Micros now) {
  const std::set<TlsConnection*> waiting = waiting_;
  for (TlsConnection* c : waiting) c->retry_keys(now, false);
  for (auto it = closed_waiting_.begin(); it != closed_waiting_.end();)
    it = it->first->close_deferred() ? std::next(it) : closed_waiting_.erase(it);
}

void TlsContext::finish(Micros at) {
  const std::set<TlsConnection*> waiting = waiting_;
  for (TlsConnection* c : waiting) c->retry_keys(at, true);
  closed_waiting_.clear();
}

}  // namespace trafficdb
