// The bodies of the Charles export; see chlsj_bodies.h.

#include "chlsj_bodies.h"

#include "gzip.h"
#include "http_workload.h"

namespace bench::chlsj_workload {
namespace {

// JSON of about `target` bytes: a page of items with some nesting and
// non-ASCII names.
std::string json_body(WorkloadRandom& rng, std::size_t target) {
  std::string b;
  b.reserve(target + 256);
  b += "{\"code\":0,\"message\":\"success\",\"requestId\":\"" + rng.uuid() + "\",\"data\":{\"total\":" +
       std::to_string(rng.range(1, 5000)) + ",\"page\":" + std::to_string(rng.range(1, 40)) + ",\"items\":[";
  bool first = true;
  while (b.size() + 40 < target) {
    const std::uint64_t cents = rng.range(99, 999999);
    if (!first) b += ',';
    first = false;
    b += "{\"id\":" + std::to_string(rng.range(1, 99999999)) + ",\"name\":\"" + rng.one_of(kNames) + "\",\"sku\":\"" +
         rng.one_of(kWords) + "-" + rng.hex(6) + "\",\"price\":" + std::to_string(cents / 100) + "." +
         std::to_string(10 + cents % 90) + ",\"currency\":\"" + (rng.percent(50) ? "USD" : "CNY") +
         "\",\"tags\":[\"" + rng.one_of(kWords) + "\",\"" + rng.one_of(kWords) + "\"],\"active\":" +
         (rng.percent(80) ? "true" : "false") + ",\"updatedAt\":\"2024-03-" + std::to_string(rng.range(10, 28)) + "T0" +
         std::to_string(rng.range(0, 9)) + ":1" + std::to_string(rng.range(0, 9)) + ":00Z\",\"note\":null}";
  }
  b += "]}}";
  return b;
}

std::string html_body(WorkloadRandom& rng, std::size_t target) {
  std::string b = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                  std::string(rng.one_of(kNames)) +
                  "</title>\n<link rel=\"stylesheet\" href=\"/assets/app." + rng.hex(8) +
                  ".css\"></head>\n<body>\n";
  while (b.size() + 30 < target) {
    b += "<div class=\"card\" data-id=\"" + std::to_string(rng.range(1, 999999)) + "\"><h2>" + rng.one_of(kNames) +
         "</h2><p>" + rng.one_of(kWords) + " " + rng.one_of(kWords) + " " + rng.one_of(kWords) + "</p><a href=\"/" +
         rng.one_of(kResources) + "/" + std::to_string(rng.range(1, 99999)) + "\">more</a></div>\n";
  }
  b += "</body></html>\n";
  return b;
}

std::string script_body(WorkloadRandom& rng, std::size_t target) {
  std::string b = "\"use strict\";\n";
  while (b.size() < target) {
    const std::string name = std::string(rng.one_of(kWords)) + "_" + rng.hex(4);
    b += "function " + name + "(a,b){if(!a){return \"" + rng.one_of(kWords) + "\";}\n\treturn a." + rng.one_of(kResources) +
         ".map(function(x){return x.id+b;});}\nwindow.__app[\"" + name + "\"]=" + name + ";\n";
  }
  return b;
}

// PNG signature and IHDR, then noise: what an image looks like to a reader.
std::string png_body(WorkloadRandom& rng, std::size_t size) {
  std::string b("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  b += rng.bytes(size > b.size() ? size - b.size() : 0);
  return b;
}

}  // namespace

std::string tls_records(WorkloadRandom& rng, std::size_t size) {
  std::string b;
  b.reserve(size + 64);
  while (b.size() < size) {
    const std::size_t len = static_cast<std::size_t>(rng.range(200, 1400));
    b += '\x17';
    b += '\x03';
    b += '\x03';
    b += static_cast<char>(len >> 8);
    b += static_cast<char>(len & 0xff);
    b += rng.bytes(len);
  }
  return b;
}

BodyOut request_body(WorkloadRandom& rng, const Host& host, std::uint64_t index) {
  BodyOut b;
  b.form = BodyOut::Form::text;
  b.charset = "utf-8";
  if (host.kind == HostKind::auth && rng.percent(60)) {
    b.payload = "grant_type=password&username=" + std::string(rng.one_of(kWords)) + "%40example.com&password=" + rng.hex(12) +
                "&client_id=" + rng.hex(16) + "&scope=openid%20profile";
    b.mime_type = "application/x-www-form-urlencoded";
  } else if (host.kind == HostKind::telemetry) {
    b.payload = "{\"events\":[";
    const std::uint64_t n = rng.range(1, 8);
    for (std::uint64_t k = 0; k < n; ++k) {
      if (k) b.payload += ',';
      b.payload += "{\"name\":\"" + std::string(rng.one_of(kWords)) + "_view\",\"ts\":" +
                   std::to_string(kEpoch + static_cast<Millis>(index) * 3 + static_cast<Millis>(k)) +
                   ",\"screen\":\"" + rng.one_of(kResources) + "\",\"props\":{\"id\":\"" + rng.hex(12) + "\"}}";
    }
    b.payload += "],\"device\":\"" + rng.uuid() + "\"}";
    b.mime_type = "application/json";
  } else {
    b.payload = "{\"name\":\"" + std::string(rng.one_of(kNames)) + "\",\"sku\":\"" + rng.one_of(kWords) + "-" + rng.hex(8) +
                "\",\"quantity\":" + std::to_string(rng.range(1, 20)) + ",\"note\":\"" +
                std::string(static_cast<std::size_t>(rng.range(10, 300)), 'n') + "\",\"clientTs\":" +
                std::to_string(index) + "}";
    b.mime_type = "application/json";
  }
  b.wire_size = static_cast<std::int64_t>(b.payload.size());
  return b;
}

// A response body of the host's kind, in one of the forms Charles writes.
BodyOut response_body(WorkloadRandom& rng, const Host& host, int status, const std::string& path, GenStats& stats) {
  BodyOut b;
  if (status == 204 || status == 304 || status == 301 || status == 302) return b;  // sizes.body 0, no body
  std::string text;
  bool binary = false;
  if (status >= 400) {
    text = "{\"code\":" + std::to_string(status * 100 + static_cast<int>(rng.index(100))) + ",\"message\":\"" +
           status_text(status) + "\",\"requestId\":\"" + rng.uuid() + "\"}";
    b.mime_type = "application/json";
  } else if (host.kind == HostKind::cdn) {
    if (path.ends_with(".png")) {
      text = png_body(rng, static_cast<std::size_t>(rng.range(200, 3800)));
      binary = true;
      b.mime_type = "image/png";
    } else {
      text = script_body(rng, static_cast<std::size_t>(rng.range(500, 3500)));
      b.mime_type = path.ends_with(".css") ? "text/css" : "application/javascript";
    }
  } else if (host.kind == HostKind::web) {
    text = html_body(rng, static_cast<std::size_t>(rng.range(800, 4000)));
    b.mime_type = "text/html";
  } else if (host.kind == HostKind::telemetry) {
    text = "{\"ok\":true}";
    b.mime_type = "application/json";
  } else if (host.kind == HostKind::auth) {
    text = "{\"access_token\":\"" + rng.hex(64) + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"" +
           rng.hex(48) + "\",\"id_token\":\"" + base64(rng.bytes(static_cast<std::size_t>(rng.range(300, 700)))) + "\"}";
    b.mime_type = "application/json";
  } else {
    text = json_body(rng, static_cast<std::size_t>(rng.range(300, 2700)));
    b.mime_type = "application/json";
  }
  ++stats.response_bodies;
  stats.response_body_bytes += text.size();

  if (binary) {
    b.form = BodyOut::Form::base64;
    b.payload = std::move(text);
    b.wire_size = static_cast<std::int64_t>(b.payload.size());
    ++stats.binary_bodies;
    return b;
  }
  b.charset = "utf-8";
  const std::uint64_t r = text.size() < 200 ? 0 : rng.index(100);
  if (r < 50) {  // as sent: plain text
    b.form = BodyOut::Form::text;
    b.wire_size = static_cast<std::int64_t>(text.size());
    b.payload = std::move(text);
  } else if (r < 80) {  // gzip on the wire, text already decompressed by Charles
    b.form = BodyOut::Form::text;
    b.decoded = true;
    b.content_encoding = "gzip";
    b.wire_size = static_cast<std::int64_t>(text.size() * 3 / 10 + 20);
    b.payload = std::move(text);
    ++stats.decoded_bodies;
  } else {  // gzip on the wire, kept compressed: base64 of the gzip bytes
    b.form = BodyOut::Form::base64;
    b.content_encoding = "gzip";
    b.payload = gzip(text);
    b.wire_size = static_cast<std::int64_t>(b.payload.size());
    ++stats.gzip_base64_bodies;
  }
  return b;
}

}  // namespace bench::chlsj_workload
