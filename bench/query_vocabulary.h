// What query_bench's store is made of (query_workload.h) and what its
// queries look for (query_cases.h): hosts in rank order, resources, the
// words of bodies, rare words (body search hits) and missing words (misses),
// response content types.
#pragma once

#include <cstddef>
#include <iterator>

namespace bench::query_workload {

enum class HostKind { api, graphql, web, assets, telemetry };

struct HostDef {
  const char* name;
  HostKind kind;
};

// In rank order: the k-th host gets weight 1/(k+1)^kZipfExponent (the first
// about 24% of the traffic, the last about 0.4%).
inline constexpr HostDef kHosts[] = {
    {"api.example.com", HostKind::api},           {"telemetry.example.io", HostKind::telemetry},
    {"cdn.example.com", HostKind::assets},        {"www.example.com", HostKind::web},
    {"api.shopfront.example", HostKind::api},     {"graphql.example.com", HostKind::graphql},
    {"images.example-cdn.net", HostKind::assets}, {"auth.example.com", HostKind::api},
    {"events.example.io", HostKind::telemetry},   {"static.example.net", HostKind::assets},
    {"payments.example.com", HostKind::api},      {"search.example.com", HostKind::api},
    {"cdn.shopfront.example", HostKind::assets},  {"www.shopfront.example", HostKind::web},
    {"accounts.example.com", HostKind::api},      {"checkout.shopfront.example", HostKind::api},
    {"metrics.example.io", HostKind::telemetry},  {"fonts.example-cdn.net", HostKind::assets},
    {"api.example.io", HostKind::api},            {"maps.example.com", HostKind::api},
    {"chat.example.com", HostKind::api},          {"pixel.example-ads.com", HostKind::telemetry},
    {"www.example.org", HostKind::web},           {"api.example.org", HostKind::api},
    {"edge.example.net", HostKind::assets},       {"upload.example.com", HostKind::api},
    {"js.example-cdn.net", HostKind::assets},     {"login.example.id", HostKind::api},
    {"api.weather.example", HostKind::api},       {"feeds.example.news", HostKind::api},
    {"tracker.example-ads.com", HostKind::telemetry}, {"files.example.net", HostKind::assets},
    {"status.example.com", HostKind::web},        {"docs.example.com", HostKind::web},
    {"api.example.app", HostKind::api},           {"push.example.app", HostKind::api},
    {"cdn.example.app", HostKind::assets},        {"chat.example.chat", HostKind::api},
    {"upload.example.net", HostKind::api},        {"video.example.net", HostKind::assets},
    {"images.example.com", HostKind::assets},     {"admin.example.com", HostKind::web},
    {"wiki.example.org", HostKind::web},          {"sso.example.id", HostKind::api},
    {"api.partner.example", HostKind::api},       {"hooks.partner.example", HostKind::api},
    {"files.example.dev", HostKind::assets},      {"api.example.dev", HostKind::api},
    {"registry.example.dev", HostKind::api},      {"ads.example-ads.com", HostKind::telemetry}};
inline constexpr std::size_t kHostCount = std::size(kHosts);
inline constexpr double kZipfExponent = 1.05;

inline constexpr const char* kResources[] = {"users",    "orders",   "products", "carts",    "sessions", "items",
                                             "accounts", "invoices", "messages", "events",   "payments", "reviews",
                                             "coupons",  "shipments", "addresses", "subscriptions"};
inline constexpr const char* kSubResources[] = {"items", "orders", "messages", "events", "reviews", "addresses", "history"};

// Common words of bodies and request bodies (none contains a rare or a
// missing word below).
inline constexpr const char* kWords[] = {
    "alpha",    "bravo",    "charlie",   "delta",     "echo",      "foxtrot",  "golf",      "hotel",    "india",
    "lima",     "mike",     "november",  "oscar",     "papa",      "quebec",   "romeo",     "sierra",   "tango",
    "uniform",  "victor",   "whiskey",   "yankee",    "zulu",      "red",      "green",     "blue",     "yellow",
    "purple",   "orange",   "silver",    "golden",    "black",     "white",    "small",     "medium",   "large",
    "classic",  "premium",  "standard",  "express",   "organic",   "wireless", "portable",  "compact",  "deluxe",
    "vintage",  "modern",   "rustic",    "linen",     "cotton",    "leather",  "ceramic",   "bamboo",   "steel",
    "glass",    "wooden",   "chair",     "table",     "lamp",      "kettle",   "blanket",   "backpack", "jacket",
    "sneaker",  "watch",    "speaker",   "monitor",   "keyboard",  "mouse",    "charger",   "cable",    "bottle",
    "mug",      "notebook", "pencil",    "garden",    "kitchen",   "office",   "travel",    "outdoor",  "winter",
    "summer",   "spring",   "autumn",    "delivery",  "shipping",  "return",   "refund",    "discount", "bundle",
    "gift",     "limited",  "edition",   "available", "pending",   "shipped",  "delivered", "cancelled", "active",
    "archived", "draft",    "verified",  "customer",  "merchant",  "warehouse", "berlin",   "paris",    "london",
    "madrid",   "vienna",   "oslo",      "lisbon",    "warsaw",    "prague",   "dublin",    "rome",     "athens",
    "fresh",    "quick",    "simple",    "smart",     "secure",    "daily",    "weekly",    "monthly",  "annual",
    "order",    "invoice",  "payment",   "account",   "profile",   "settings", "review",    "rating",   "comment",
    "stock",    "price",    "tax",       "total",     "balance",   "credit",   "debit",     "transfer", "status"};
inline constexpr std::size_t kWordCount = std::size(kWords);

// Each appears in about 0.1% of the rows (one per unique JSON response body
// that gets a rare word): body search hits.
inline constexpr const char* kRareWords[] = {"zeppelin", "quokka",   "marzipan", "xylophone", "kumquat",  "narwhal",
                                             "platypus", "rhubarb",  "saffron",  "wombat",    "zircon",   "juniper",
                                             "tamarind", "axolotl",  "gazpacho", "pangolin"};
inline constexpr std::size_t kRareWordCount = std::size(kRareWords);
// Never generated: body search misses.
inline constexpr const char* kMissingWords[] = {"flibbertigibbet", "snollygoster", "bumfuzzle", "cattywampus",
                                                "gobbledygook",    "lollygag",     "widdershins", "kerfuffle"};

inline constexpr const char* kErrors[] = {"connection reset by peer",
                                          "timed out after 30000 ms waiting for the response",
                                          "TLS handshake failed: certificate verify failed",
                                          "connection refused",
                                          "stream reset by peer (RST_STREAM INTERNAL_ERROR)"};
inline constexpr const char* kGraphqlOps[] = {"GetOrder",   "ListProducts", "UpdateCart",
                                              "GetProfile", "SearchItems",  "CreateReview"};

// Response content types the generator writes (resp_content_type values).
inline constexpr const char* kRespTypes[] = {"application/json", "text/html", "image/png", "application/javascript",
                                             "text/css", "font/woff2"};

}  // namespace bench::query_workload
