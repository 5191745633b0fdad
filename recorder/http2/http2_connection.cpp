#include "recorder/http2/http2_connection.h"

#include <vector>

namespace trafficdb {
namespace {

constexpr std::size_t kMaxFrameSizeLimit = (1u << 24) - 1;

std::string error_code_name(std::uint32_t code) {
  static const char* names[] = {"NO_ERROR",          "PROTOCOL_ERROR",  "INTERNAL_ERROR",      "FLOW_CONTROL_ERROR",
                                "SETTINGS_TIMEOUT",  "STREAM_CLOSED",   "FRAME_SIZE_ERROR",    "REFUSED_STREAM",
                                "CANCEL",            "COMPRESSION_ERROR", "CONNECT_ERROR",     "ENHANCE_YOUR_CALM",
                                "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"};
  if (code < sizeof names / sizeof names[0]) return names[code];
  return "error code " + std::to_string(code);
}

std::uint32_t u32(std::string_view b) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[0])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[2])) << 8 | static_cast<unsigned char>(b[3]);
}

const char* who(Side side) { return side == Side::originator ? "client" : "server"; }

// The frame's payload without its padding; false when the padding is longer than the payload.
bool without_padding(const Http2Frame& f, std::string_view& out) {
  out = f.payload;
  if (!(f.flags & h2_flag::padded)) return true;
  if (out.empty()) return false;
  const std::size_t pad = static_cast<unsigned char>(out[0]);
  out.remove_prefix(1);
  if (pad > out.size()) return false;
  out.remove_suffix(pad);
  return true;
}

std::optional<std::string_view> field(const Headers& fields, std::string_view name) {
  for (const Header& h : fields)
    if (h.name == name) return std::string_view(h.value);
  return std::nullopt;
}

std::string authority_of(const Endpoint& e) {
  const std::string ip = e.ip.family == 6 ? "[" + e.ip.to_string() + "]" : e.ip.to_string();
  return ip + ":" + std::to_string(e.port);
}

}  // namespace

struct Http2Connection::Stream {
  std::uint32_t id = 0;
  std::optional<HttpMessage> request, response;
  std::vector<InformationalResponse> informational;
  bool request_ended = false, response_ended = false;
  bool pushed = false;
  bool upgraded = false;  // stream 1 after an HTTP/1.1 Upgrade: h2c
  std::string error;
};

struct Http2Connection::Direction {
  Direction(bool client, FrameReader::OnFrame on_frame, const HpackDecoder::Limits& limits)
      : frames(client, std::move(on_frame)), hpack(limits) {}
  FrameReader frames;
  HpackDecoder hpack;
  // A header block being gathered (HEADERS or PUSH_PROMISE, then CONTINUATIONs).
  std::optional<std::uint32_t> block_stream;
  std::optional<std::uint32_t> block_promised;
  bool block_ends_stream = false;
  std::string block;
  bool stopped = false;
  Micros at = 0;  // time of the bytes being read
};

Http2Connection::Http2Connection(const ConnectionInfo& info, const Http2Options& options, BodyBudget& budget,
                                 CaptureOutput& output, const TlsFacts* tls,
                                 std::optional<HttpMessage> upgraded_request)
    : info_(info), options_(options), budget_(budget), output_(output) {
  if (tls) tls_ = *tls;
  for (int i = 0; i < 2; ++i) {
    const Side side = static_cast<Side>(i);
    dir_[i] = std::make_unique<Direction>(
        side == Side::originator, [this, side](const Http2Frame& f) { on_frame(side, f, dir_[static_cast<int>(side)]->at); },
        options_.header_list);
  }
  if (upgraded_request) {
    auto s = std::make_unique<Stream>();
    s->id = 1;
    s->request = std::move(upgraded_request);
    s->request->version = "HTTP/2";  // its response, and the exchange, are HTTP/2
    s->request_ended = true;
    s->upgraded = true;
    streams_[1] = std::move(s);
  }
}

Http2Connection::~Http2Connection() = default;

void Http2Connection::on_data(Side side, std::string_view bytes, Micros at) {
  Direction& d = *dir_[static_cast<int>(side)];
  if (d.stopped) return;
  d.at = at;
  d.frames.feed(bytes);
  if (d.frames.stopped() && !d.stopped) stop_direction(side, d.frames.error());
}

void Http2Connection::on_frame(Side side, const Http2Frame& f, Micros at) {
  Direction& d = *dir_[static_cast<int>(side)];
  if (d.stopped) return;
  if (d.block_stream && (f.type != h2_frame::continuation || f.stream_id != *d.block_stream)) {
    d.frames.stop("a frame came between a header block and its CONTINUATION");
    return;
  }
  std::string_view payload;
  switch (f.type) {
    case h2_frame::data:
      if (f.stream_id == 0 || !without_padding(f, payload)) return d.frames.stop("a malformed DATA frame");
      on_data_frame(side, f, payload, at);
      return;
    case h2_frame::headers:
    case h2_frame::push_promise: {
      if (f.stream_id == 0 || !without_padding(f, payload)) return d.frames.stop("a malformed header frame");
      std::optional<std::uint32_t> promised;
      if (f.type == h2_frame::headers && (f.flags & h2_flag::priority)) {
        if (payload.size() < 5) return d.frames.stop("a HEADERS frame too short for its priority");
        payload.remove_prefix(5);
      }
      if (f.type == h2_frame::push_promise) {
        if (payload.size() < 4 || side != Side::responder) return d.frames.stop("a malformed PUSH_PROMISE");
        promised = u32(payload) & 0x7fffffffu;
        payload.remove_prefix(4);
      }
      d.block_stream = f.stream_id;
      d.block_promised = promised;
      d.block_ends_stream = f.type == h2_frame::headers && (f.flags & h2_flag::end_stream);
      d.block.assign(payload);
      break;
    }
    case h2_frame::continuation:
      if (!d.block_stream) return d.frames.stop("a CONTINUATION without a header block");
      d.block.append(f.payload);
      break;
    case h2_frame::rst_stream:
      if (f.payload.size() != 4) return d.frames.stop("a malformed RST_STREAM");
      if (auto it = streams_.find(f.stream_id); it != streams_.end())
        hand_on(*it->second, std::string("stream reset by the ") + who(side) + " (" + error_code_name(u32(f.payload)) + ")");
      return;
    case h2_frame::settings:
      if (!(f.flags & h2_flag::ack)) on_settings(side, f.payload);
      return;
    case h2_frame::goaway:
      if (f.payload.size() >= 8 && u32(f.payload.substr(4)) != 0)
        connection_error_ = std::string("the ") + who(side) + " ended the connection (GOAWAY " +
                            error_code_name(u32(f.payload.substr(4))) + ")";
      return;
    default:
      return;  // PRIORITY, PING, WINDOW_UPDATE and unknown types change no exchange
  }
  if (d.block.size() > options_.max_header_block_bytes)
    return d.frames.stop("a header block of more than " + std::to_string(options_.max_header_block_bytes) + " bytes");
  if (f.flags & h2_flag::end_headers) {
    const std::uint32_t id = *d.block_stream;
    d.block_stream.reset();
    on_header_block(side, id, d.block_promised, d.block_ends_stream, at);
  }
}

void Http2Connection::on_settings(Side side, std::string_view payload) {
  // What one side sets bounds what the other sends it.
  Direction& peer = *dir_[static_cast<int>(other(side))];
  for (; payload.size() >= 6; payload.remove_prefix(6)) {
    const unsigned id = static_cast<unsigned char>(payload[0]) << 8 | static_cast<unsigned char>(payload[1]);
    const std::uint32_t value = u32(payload.substr(2));
    if (id == 1) peer.hpack.set_max_table_size(value);
    if (id == 5 && value >= 16384 && value <= kMaxFrameSizeLimit) peer.frames.set_max_frame_bytes(value);
  }
}

void Http2Connection::on_header_block(Side side, std::uint32_t stream_id, std::optional<std::uint32_t> promised,
                                      bool end_stream, Micros at) {
  Direction& d = *dir_[static_cast<int>(side)];
  auto decoded = d.hpack.decode(d.block);
  d.block.clear();
  HeaderBlock block = decoded.is_ok() ? std::move(decoded).value() : HeaderBlock{};
  std::string problem = decoded.is_ok() ? "" : decoded.status().message();
  if (block.cut) problem = "header list longer than the limit; cut";

  const auto new_request = [&](Stream& s) {
    HttpMessage m;
    m.is_request = true;
    m.version = "HTTP/2";
    m.head_done = decoded.is_ok();
    m.method = std::string(field(block.fields, ":method").value_or(""));
    const std::string scheme(field(block.fields, ":scheme").value_or(tls_ ? "https" : "http"));
    std::string authority(field(block.fields, ":authority").value_or(""));
    if (authority.empty()) authority = std::string(find_header(block.fields, "host").value_or(""));
    if (authority.empty() && tls_) authority = tls_->server_name;
    if (authority.empty()) authority = authority_of(info_.responder);
    const std::string path(field(block.fields, ":path").value_or(m.method == "CONNECT" ? "" : "/"));
    m.target = m.method == "CONNECT" ? authority : scheme + "://" + authority + path;
    m.headers = std::move(block.fields);
    m.first_at = m.last_at = at;
    if (!problem.empty()) m.error = "request headers: " + problem;
    s.request = std::move(m);
  };

  if (side == Side::originator) {
    Stream* s = stream(stream_id, true);
    if (!s) return;
    if (!s->request) {
      new_request(*s);
    } else {
      s->request->trailers = std::move(block.fields);
      if (!problem.empty()) s->request->error += (s->request->error.empty() ? "" : "; ") + ("trailers: " + problem);
    }
    if (end_stream) end_half(*s, side, at);
    return;
  }
  if (promised) {
    Stream* p = stream(*promised, true);
    if (!p) return;
    p->pushed = true;
    new_request(*p);
    p->request_ended = true;
    return;
  }
  Stream* s = stream(stream_id, true);
  if (!s) return;
  if (!s->response) {
    const std::string status_text(field(block.fields, ":status").value_or(""));
    int status = 0;
    for (char c : status_text) status = c >= '0' && c <= '9' && status < 1000 ? status * 10 + (c - '0') : 1000;
    if (status >= 100 && status < 200) {
      s->informational.push_back({status, "", at});
      return;
    }
    HttpMessage m;
    m.is_request = false;
    m.version = "HTTP/2";
    m.head_done = decoded.is_ok();
    m.status = status < 1000 ? status : 0;
    m.headers = std::move(block.fields);
    m.first_at = m.last_at = at;
    if (!problem.empty()) m.error = "response headers: " + problem;
    s->response = std::move(m);
  } else {
    s->response->trailers = std::move(block.fields);
    if (!problem.empty()) s->response->error += (s->response->error.empty() ? "" : "; ") + ("trailers: " + problem);
  }
  if (end_stream) end_half(*s, side, at);
}

void Http2Connection::on_data_frame(Side side, const Http2Frame& f, std::string_view data, Micros at) {
  Stream* s = stream(f.stream_id, true);
  if (!s) return;
  std::optional<HttpMessage>& m = side == Side::originator ? s->request : s->response;
  if (!m) {
    m.emplace();
    m->is_request = side == Side::originator;
    m->version = "HTTP/2";
    m->first_at = at;
    m->error = "its headers are not in the capture";
  }
  m->body_length += data.size();
  m->last_at = at;
  const std::size_t room = m->body.size() < options_.max_body_bytes ? options_.max_body_bytes - m->body.size() : 0;
  const std::size_t granted = m->charge.take(&budget_, std::min(room, data.size()));
  m->body.append(data.substr(0, granted));
  if (granted < data.size()) m->body_cut = true;
  if (f.flags & h2_flag::end_stream) end_half(*s, side, at);
}

Http2Connection::Stream* Http2Connection::stream(std::uint32_t id, bool create) {
  if (auto it = streams_.find(id); it != streams_.end()) return it->second.get();
  if (!create) return nullptr;
  if (streams_.size() >= options_.max_open_streams) {
    Stream& oldest = *streams_.begin()->second;
    hand_on(oldest, "handed on early: more than " + std::to_string(options_.max_open_streams) +
                        " streams were open at once on the connection");
  }
  auto s = std::make_unique<Stream>();
  s->id = id;
  return streams_.emplace(id, std::move(s)).first->second.get();
}

void Http2Connection::end_half(Stream& s, Side side, Micros at) {
  if (side == Side::originator) {
    s.request_ended = true;
    if (s.request) s.request->last_at = at;
  } else {
    s.response_ended = true;
    if (s.response) s.response->last_at = at;
  }
  maybe_hand_on(s.id);
}

void Http2Connection::maybe_hand_on(std::uint32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  Stream& s = *it->second;
  if (s.response_ended && (s.request_ended || !s.request)) hand_on(s, "");
}

void Http2Connection::hand_on(Stream& s, const std::string& error) {
  CapturedExchange c;
  c.client = info_.originator;
  c.server = info_.responder;
  c.request = s.request ? &*s.request : nullptr;
  c.response = s.response ? &*s.response : nullptr;
  c.informational = std::move(s.informational);
  c.source_key = "h2 " + info_.originator.to_string() + " " + info_.responder.to_string() + " " +
                 std::to_string(info_.opened_at) + " stream " + std::to_string(s.id);
  // A half missing because a direction stopped being readable: say why.
  c.error = !error.empty() || (s.request && s.response) ? error : connection_error_;
  c.tls = tls_ ? &*tls_ : nullptr;
  c.http2_stream = s.id;
  c.pushed = s.pushed;
  if (s.upgraded) c.protocol_switch = "h2c";
  std::vector<std::string> caveats;
  Exchange e = build_exchange(c, options_.max_body_bytes, caveats);
  if (!c.error.empty() && s.response) e.error += (e.error.empty() ? "" : "; ") + c.error;
  if (s.request && !s.request_ended && error.empty())
    e.error += std::string(e.error.empty() ? "" : "; ") + "request body incomplete: the stream was not ended";
  for (std::string& caveat : caveats) output_.problem(std::move(caveat));
  output_.exchange(std::move(e));
  streams_.erase(s.id);
}

void Http2Connection::stop_direction(Side side, const std::string& why) {
  Direction& d = *dir_[static_cast<int>(side)];
  d.stopped = true;
  d.frames.stop(why);
  if (connection_error_.empty()) connection_error_ = std::string("the ") + who(side) + "'s HTTP/2 frames stopped: " + why;
}

void Http2Connection::on_gap(Side side, std::uint64_t length, Micros) {
  if (dir_[static_cast<int>(side)]->stopped) return;
  stop_direction(side, std::to_string(length) + " bytes are missing from the capture");
}

void Http2Connection::on_end(Side, StreamEnd, Micros) {}

void Http2Connection::on_close(Micros) {
  const std::string why = connection_error_.empty() ? "the connection ended before the stream did"
                                                    : connection_error_;
  while (!streams_.empty()) hand_on(*streams_.begin()->second, why);
}

}  // namespace trafficdb
