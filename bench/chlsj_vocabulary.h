// What chlsj_workload's Charles export is made of: 30 hosts of five kinds
// (API hosts dominate, as in a mobile or single-page app session), paths,
// words and non-ASCII names, header values, TLS ciphers, error messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace bench::chlsj_workload {

// When the first transaction starts: 2024-03-11T10:42:03.369+08:00, in
// milliseconds since the Unix epoch.
inline constexpr std::int64_t kEpoch = 1710124923369;

enum class HostKind { api, cdn, web, telemetry, auth };

struct Host {
  const char* name;
  const char* ip;
  HostKind kind;
};

// 30 hosts; API hosts dominate, as in a mobile or single-page app session.
inline constexpr Host kHosts[] = {
    {"api.shopfront.example", "203.0.113.10", HostKind::api},
    {"api-v2.shopfront.example", "203.0.113.11", HostKind::api},
    {"graphql.example.com", "198.51.100.20", HostKind::api},
    {"search.example.com", "198.51.100.21", HostKind::api},
    {"payments.example.com", "198.51.100.22", HostKind::api},
    {"api.weather.example", "192.0.2.30", HostKind::api},
    {"feeds.example.news", "192.0.2.31", HostKind::api},
    {"chat.example.chat", "192.0.2.32", HostKind::api},
    {"files.example.dev", "192.0.2.33", HostKind::api},
    {"maps.example.com", "198.51.100.23", HostKind::api},
    {"esop-api-test.example.net", "172.30.49.201", HostKind::api},
    {"quote.example-broker.com", "172.30.49.202", HostKind::api},
    {"orders.example-broker.com", "172.30.49.203", HostKind::api},
    {"config.example-app.io", "203.0.113.40", HostKind::api},
    {"recommend.example.com", "198.51.100.24", HostKind::api},
    {"cdn.shopfront.example", "203.0.113.50", HostKind::cdn},
    {"images.example-cdn.net", "203.0.113.51", HostKind::cdn},
    {"static.example.net", "203.0.113.52", HostKind::cdn},
    {"edge.example-cdn.net", "203.0.113.53", HostKind::cdn},
    {"fonts.example-static.com", "203.0.113.54", HostKind::cdn},
    {"avatars.example.com", "203.0.113.55", HostKind::cdn},
    {"www.example.org", "192.0.2.60", HostKind::web},
    {"www.shopfront.example", "192.0.2.61", HostKind::web},
    {"help.example.com", "192.0.2.62", HostKind::web},
    {"status.other.org", "192.0.2.63", HostKind::web},
    {"telemetry.example.io", "198.51.100.70", HostKind::telemetry},
    {"metrics.example.io", "198.51.100.71", HostKind::telemetry},
    {"log.example-analytics.com", "198.51.100.72", HostKind::telemetry},
    {"auth.example.com", "198.51.100.80", HostKind::auth},
    {"login.example.id", "198.51.100.81", HostKind::auth},
};
inline constexpr std::size_t kHostCount = std::size(kHosts);

inline constexpr const char* kResources[] = {"users",    "orders",   "products", "carts",   "sessions", "items",
                                  "accounts", "invoices", "messages", "events",  "quotes",   "positions"};
inline constexpr const char* kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                              "india", "juliet", "kilo",   "lima"};
// Some non-ASCII text, as real payloads have.
inline constexpr const char* kNames[] = {"Ada Lovelace", "Zürich Hbf", "Café Olé",  "東京都渋谷区", "Ελλάδα",
                              "São Paulo",    "Kraków",     "北京市",    "Grace Hopper", "Ångström"};
inline constexpr const char* kUserAgents[] = {
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "okhttp/4.12.0",
    "ShopApp/5.3.1 (iPhone; iOS 17.3; Scale/3.00)",
    "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)"};
inline constexpr const char* kLanguages[] = {"en-US,en;q=0.9", "zh-CN,zh;q=0.9,en;q=0.8", "de-DE,de;q=0.9,en;q=0.8",
                                  "en-GB"};
inline constexpr const char* kServers[] = {"nginx/1.24.0", "cloudflare", "envoy", "Apache/2.4.58 (Debian)", "openresty",
                                "AmazonS3"};
inline constexpr const char* kCiphers13[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
inline constexpr const char* kCiphers12[] = {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};
inline constexpr const char* kErrors[] = {"Connection reset",
                               "Remote host terminated the handshake",
                               "Read timed out",
                               "Connect timed out",
                               "No route to host (connect failed)",
                               "Received fatal alert: certificate_unknown"};
inline constexpr const char* kTunnelNotes[] = {
    "SSL Proxying not enabled for this host: enable in Proxy Settings, SSL locations",
    "Transaction began prior to session being cleared, body content transmitted before the session clear has not "
    "been captured"};

}  // namespace bench::chlsj_workload
