#include "tests/http_test_server.h"

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "tests/pipelining_http_server.h"
#include "tests/test_support.h"

namespace trafficdb::test {

namespace {

// httplib compresses text/* and a few exact types such as application/json
// when the client accepts it; these are none of them.
constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kNdjson = "application/x-ndjson";
constexpr const char* kBinary = "application/octet-stream";

int n_of(const httplib::Request& req) {
  return req.has_param("n") ? std::stoi(req.get_param_value("n")) : 0;
}

}  // namespace

std::string deterministic_bytes(std::size_t size, unsigned seed) {
  std::string out(size, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (char& c : out) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

std::string json_body(int n) {
  return "{\"endpoint\":\"json\",\"n\":" + std::to_string(n) + ",\"items\":[\"alpha\",\"beta\",\"gamma\"]}";
}

std::vector<std::string> chunked_body_pieces(int n) {
  std::vector<std::string> pieces;
  for (int i = 0; i < 5; ++i)
    pieces.push_back("{\"n\":" + std::to_string(n) + ",\"piece\":" + std::to_string(i) + ",\"pad\":\"" +
                     std::string(100 * (i + 1), static_cast<char>('a' + i)) + "\"}\n");
  return pieces;
}

std::string chunked_body(int n) {
  std::string body;
  for (const auto& piece : chunked_body_pieces(n)) body += piece;
  return body;
}

std::string gzip_body(int n) {
  std::string body = "{\"endpoint\":\"gzip\",\"n\":" + std::to_string(n) + ",\"rows\":[";
  for (int i = 0; i < 200; ++i) body += (i ? "," : "") + std::string("{\"row\":") + std::to_string(i) + "}";
  return body + "]}";
}

std::string large_body() { return deterministic_bytes(3 << 20, 7); }

std::string etag_body() { return "{\"endpoint\":\"etag\",\"version\":1}"; }

HttpTestServer::HttpTestServer() : server_(std::make_unique<PipeliningHttpServer>()) {
  httplib::Server& s = *server_;
  s.set_keep_alive_max_count(100);
  s.Get("/json", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(json_body(n_of(req)), kJson);
  });
  s.Get("/chunked", [](const httplib::Request& req, httplib::Response& res) {
    auto pieces = std::make_shared<std::vector<std::string>>(chunked_body_pieces(n_of(req)));
    res.set_chunked_content_provider(
        kNdjson, [pieces, next = std::size_t{0}](std::size_t, httplib::DataSink& sink) mutable {
          if (next < pieces->size()) {
            const std::string& piece = (*pieces)[next++];
            return sink.write(piece.data(), piece.size());
          }
          sink.done();
          return true;
        });
  });
  s.Get("/gzip", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Content-Encoding", "gzip");
    res.set_content(gzip(gzip_body(n_of(req))), kJson);
  });
  s.Get("/large", [](const httplib::Request&, httplib::Response& res) { res.set_content(large_body(), kBinary); });
  s.Get("/etag", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("ETag", kEtag);
    if (req.get_header_value("If-None-Match") == kEtag) {
      res.status = 304;
      return;
    }
    res.set_content(etag_body(), kJson);
  });
  s.Post("/echo", [](const httplib::Request& req, httplib::Response& res) { res.set_content(req.body, kBinary); });
  s.Get("/headers", [](const httplib::Request& req, httplib::Response& res) {
    std::string lines;
    for (const auto& [name, value] : req.headers)
      if (name != "REMOTE_ADDR" && name != "REMOTE_PORT" && name != "LOCAL_ADDR" && name != "LOCAL_PORT")
        lines += name + ": " + value + "\n";
    res.set_content(lines, "text/plain; charset=utf-8");
  });
  s.Get("/slow", [](const httplib::Request& req, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(req.get_param_value("ms"))));
    res.set_content("slow", "text/plain; charset=utf-8");
  });

  port_ = s.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("the test HTTP server cannot listen on 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() before the loop has started would leave it running forever.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

HttpTestServer::~HttpTestServer() {
  server_->stop();
  thread_.join();
}

}  // namespace trafficdb::test
