// `trafficdb ui`'s HTTP server (cpp-httplib): the page's embedded files at
// / and /assets/NAME, the JSON API (web/ui_api.h) under /api/, and the live
// tail, /api/tail, a Server-Sent Events stream of the exchanges stored after
// a cursor (polling the store with a fresh connection every 250 ms; no read
// transaction is held between polls).
//
// Protections (those of MCP's HTTP transport, plus the browser's own):
// - a present Origin must be a localhost one or an allowed one (else 403);
// - the Host header must name a loopback address or the bound one (else
//   403: DNS rebinding);
// - with a token, every request needs it: `Authorization: Bearer TOKEN`, or
//   the cookie the page gets by opening /?token=TOKEN once (then 303 to /);
//   else 401;
// - deleting needs method DELETE and the header X-Trafficdb-UI: 1 (which no
//   cross-site form can send);
// - every answer has a strict Content-Security-Policy (no inline script or
//   style, nothing from elsewhere), X-Content-Type-Options: nosniff,
//   Referrer-Policy: no-referrer and frame-ancestors 'none'.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace trafficdb::web {

struct UiOptions {
  std::string db_path;
  std::string host = "127.0.0.1";
  int port = 0;                             // 0: any free port
  std::string token;                        // "" = no token required
  std::vector<std::string> allowed_origins;  // besides http(s)://localhost|127.0.0.1|[::1][:port]
};

inline constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

using UiLog = std::function<void(const std::string& line)>;

// Serves until `should_stop` says so (checked every 200 ms; live tails end
// within a poll). `on_listening` gets the bound port (useful with port 0).
// Fails when it cannot bind.
Status serve_ui(const UiOptions& options, const UiLog& log, const std::function<void(int port)>& on_listening,
                const std::function<bool()>& should_stop);

}  // namespace trafficdb::web
