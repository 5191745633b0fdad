// libFuzzer target: the TLS side of the pcap source. The input is cut into
// pieces, each delivered to the client or the server side of one
// TlsConnection as data or a gap, the way the reassembler would, or added
// to the key log it decrypts with (live captures read keys while records
// wait); what it decrypts goes on to HTTP/1.x or HTTP/2 and is discarded.
// The corpus holds real handshakes (curl against nginx) with their keys, so
// mutations reach the record decryption, the protected handshake and what
// lies inside. Finds crashes, hangs and unbounded memory in the record
// layer, the handshake parsers, key handling and the hand-over.
//
// Input: records of [control byte][length byte][length bytes of data].
// control bit 0: 0 client, 1 server; bit 1: a gap of `length` bytes instead
// of data; bit 2: that side ends (FIN) after this record; bit 3: the data is
// key log text, not traffic.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "recorder/connection_router.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trafficdb;
  fuzz::Discard output;
  HttpCaptureOptions http;
  http.max_body_bytes = 1u << 16;
  Http2Options http2;
  http2.max_body_bytes = 1u << 16;
  http2.max_open_streams = 64;
  BodyBudget budget(1u << 20);
  KeyLog keys(1000);
  TlsOptions tls_options;
  tls_options.wait_for_keys = size > 0 && (data[0] & 0x80);
  tls_options.max_held_bytes = 1u << 16;
  ConnectionProtocols protocols{&http, &http2, nullptr, &budget, &output};
  TlsContext tls(keys, tls_options, tls_plaintext_factory(protocols), output);
  protocols.tls = &tls;
  ConnectionInfo info;
  info.originator.port = 40000;
  info.responder.port = 443;
  info.saw_syn = true;
  auto connection = tls.open(info);
  std::string key_text;
  Micros at = 1;
  fuzz::for_each_record(data, size, [&](std::uint8_t control, std::string_view bytes) {
    const Side side = (control & 1) ? Side::responder : Side::originator;
    if (control & 8) {
      key_text.append(bytes);
      key_text.erase(0, keys.add_text(key_text, false));
      tls.keys_arrived(++at);
      return;
    }
    if (control & 2) connection->on_gap(side, bytes.size() + 1, ++at);
    else connection->on_data(side, bytes, ++at);
    if (control & 4) connection->on_end(side, StreamEnd::fin, ++at);
  });
  connection->on_close(++at);
  tls.finish(++at);
  return 0;
}
