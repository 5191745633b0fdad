// httplib's HTTP server, made to answer pipelined requests in order.
// httplib 0.11 reads each request through a stream that lasts that one
// request and drops whatever it read ahead, so requests sent before the
// previous answer came back are lost. This server reads each connection
// through one buffered stream that lasts as long as the connection.
// Everything else (routes, keep-alive limits, 100 Continue) is httplib's.
#pragma once

#include <httplib.h>

namespace trafficdb::test {

class PipeliningHttpServer : public httplib::Server {
 private:
  bool process_and_close_socket(socket_t sock) override;
};

}  // namespace trafficdb::test
