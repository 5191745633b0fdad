// libFuzzer target: the HTTP/1.x side of the pcap source. The input is cut
// into pieces, each delivered to the client or the server side of one
// HttpConnection, as data or as a gap, the way the reassembler would; the
// exchanges it builds are discarded. Finds crashes, hangs and unbounded
// memory in the parser, the pairing and the body decoding.
//
// Input: records of [control byte][length byte][length bytes of data].
// control bit 0: 0 client, 1 server; bit 1: a gap of `length` bytes instead
// of data; bit 2: that side ends (FIN) after this record.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "recorder/http1/http_connection.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace trafficdb;
  fuzz::Discard output;
  HttpCaptureOptions options;
  options.max_body_bytes = 1u << 16;
  BodyBudget budget(1u << 20);
  ConnectionInfo info;
  info.originator.port = 40000;
  info.responder.port = 80;
  info.saw_syn = size > 0 && (data[0] & 0x80);
  HttpConnection connection(info, options, budget, output);
  Micros at = 1;
  fuzz::for_each_record(data, size, [&](std::uint8_t control, std::string_view bytes) {
    const Side side = (control & 1) ? Side::responder : Side::originator;
    if (control & 2) connection.on_gap(side, bytes.size() * 97u + 1, ++at);
    else connection.on_data(side, bytes, ++at);
    if (control & 4) connection.on_end(side, StreamEnd::fin, ++at);
  });
  connection.on_end(Side::originator, StreamEnd::capture_end, ++at);
  connection.on_end(Side::responder, StreamEnd::capture_end, ++at);
  connection.on_close(++at);
  return 0;
}
