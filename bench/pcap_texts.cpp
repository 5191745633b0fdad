// The text bodies of the pcap workload; see pcap_texts.h.

#include "pcap_texts.h"

#include <iterator>

namespace bench::pcap_workload {
namespace {

const char* const kWords[] = {
    "account",  "active",   "address", "alpha",   "amber",    "analytics", "api",       "archive", "audio",
    "basket",   "beta",     "billing", "blue",    "board",    "book",      "bright",    "bundle",  "cache",
    "camera",   "card",     "cart",    "catalog", "chair",    "channel",   "checkout",  "city",    "classic",
    "cloud",    "coffee",   "color",   "comment", "compact",  "config",    "copper",    "cotton",  "coupon",
    "customer", "daily",    "dark",    "data",    "deal",     "delivery",  "desk",      "digital", "discount",
    "draft",    "early",    "echo",    "edge",    "electric", "event",     "express",   "fast",    "feature",
    "feed",     "field",    "filter",  "fresh",   "garden",   "gift",      "global",    "gold",    "green",
    "guide",    "handle",   "health",  "home",    "image",    "index",     "inventory", "item",    "jacket",
    "journal",  "kitchen",  "label",   "lamp",    "large",    "leather",   "light",     "linen",   "local",
    "market",   "media",    "metal",   "micro",   "modern",   "monitor",   "morning",   "music",   "native",
    "news",     "night",    "notice",  "office",  "open",     "order",     "outdoor",   "page",    "panel",
    "paper",    "payment",  "photo",   "pixel",   "plain",    "point",     "portable",  "premium", "price",
    "print",    "product",  "profile", "quick",   "radio",    "rapid",     "report",    "review",  "river",
    "round",    "sale",     "search",  "season",  "secure",   "service",   "session",   "shadow",  "share",
    "shelf",    "shipping", "silver",  "simple",  "smart",    "social",    "solid",     "sound",   "sport",
    "stack",    "status",   "steel",   "stock",   "store",    "story",     "stream",    "studio",  "summer",
    "table",    "target",   "team",    "theme",   "ticket",   "token",     "travel",    "update",  "urban",
    "user",     "value",    "video",   "vintage", "wallet",   "water",     "weather",   "widget",  "window",
    "winter",   "wireless", "wood",    "world",   "yellow",   "zone"};

}  // namespace

std::string_view word(WorkloadRandom& rng) { return kWords[rng.index(std::size(kWords))]; }

std::string words(WorkloadRandom& rng, std::size_t n, char separator) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += separator;
    out += word(rng);
  }
  return out;
}

std::string number(std::uint64_t v) { return std::to_string(v); }

namespace {

std::string capitalized_words(WorkloadRandom& rng, std::size_t n) {
  std::string out = words(rng, n, ' ');
  for (std::size_t i = 0; i < out.size(); ++i)
    if (i == 0 || out[i - 1] == ' ') out[i] = static_cast<char>(out[i] - 'a' + 'A');
  return out;
}

std::string price(WorkloadRandom& rng) { return number(rng.range(1, 899)) + "." + number(rng.range(10, 99)); }

std::string identifier(WorkloadRandom& rng) {
  std::string out(word(rng));
  std::string second(word(rng));
  second[0] = static_cast<char>(second[0] - 'a' + 'A');
  return out + second + (rng.chance(0.3) ? std::string(1, static_cast<char>('A' + rng.index(26))) : "");
}

}  // namespace

// A JSON API response of about `target` bytes, with a request id to patch.
std::string json_text(WorkloadRandom& rng, std::size_t target, std::size_t& id_offset) {
  std::string out = "{\"request_id\":\"";
  id_offset = out.size();
  out.append(kRequestIdDigits, '0');
  out += "\",\"status\":\"ok\",\"data\":[";
  for (bool first = true; out.size() + 60 < target || first; first = false) {
    if (!first) out += ',';
    out += "{\"id\":" + number(rng.range(1000, 9999999)) + ",\"sku\":\"SKU-" + rng.hex(4) + "-" +
           number(rng.range(10, 99)) + "\",\"name\":\"" + capitalized_words(rng, rng.range(2, 4)) +
           "\",\"price\":" + price(rng) + ",\"currency\":\"" + (rng.chance(0.6) ? "EUR" : "USD") +
           "\",\"rating\":" + number(rng.range(1, 4)) + "." + number(rng.range(0, 9)) +
           ",\"in_stock\":" + (rng.chance(0.8) ? "true" : "false") + ",\"tags\":[\"" + std::string(word(rng)) +
           "\",\"" + std::string(word(rng)) + "\"],\"updated_at\":\"2024-03-" + number(rng.range(10, 28)) + "T" +
           number(rng.range(10, 23)) + ":" + number(rng.range(10, 59)) + ":" + number(rng.range(10, 59)) + "Z\"";
    if (rng.chance(0.5)) out += ",\"description\":\"" + words(rng, rng.range(8, 30), ' ') + "\"";
    out += '}';
  }
  out += "],\"page\":{\"limit\":20,\"next_cursor\":\"" + rng.hex(12) + "\"}}";
  return out;
}

// An HTML page of about `target` bytes, with a request id to patch.
std::string html_text(WorkloadRandom& rng, std::size_t target, std::size_t& id_offset) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"request-id\" content=\"";
  id_offset = out.size();
  out.append(kRequestIdDigits, '0');
  out += "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         capitalized_words(rng, 4) + "</title>\n<link rel=\"stylesheet\" href=\"/static/css/app." + rng.hex(8) +
         ".css\">\n</head>\n<body>\n<header class=\"site-header\"><nav>";
  for (int i = 0; i < 8; ++i) {
    const std::string w(word(rng));
    out += "<a href=\"/c/" + w + "\">" + capitalized_words(rng, 1) + "</a>";
  }
  out += "</nav></header>\n<main>\n<article>\n<h1>" + capitalized_words(rng, 6) + "</h1>\n";
  while (out.size() + 200 < target) {
    if (rng.chance(0.15)) out += "<h2>" + capitalized_words(rng, 4) + "</h2>\n";
    out += "<p>" + capitalized_words(rng, 1) + " " + words(rng, rng.range(30, 90), ' ') + ".</p>\n";
    if (rng.chance(0.1))
      out += "<img src=\"/media/" + rng.hex(10) + ".jpg\" alt=\"" + words(rng, 3, ' ') + "\" loading=\"lazy\">\n";
  }
  out += "</article>\n</main>\n<footer>&copy; 2024 " + capitalized_words(rng, 2) +
         "</footer>\n<script src=\"/static/js/app." + rng.hex(8) + ".js\" defer></script>\n</body>\n</html>\n";
  return out;
}

// Minified-looking JavaScript of about `target` bytes.
std::string script_text(WorkloadRandom& rng, std::size_t target) {
  std::string out = "/*! app v" + number(rng.range(1, 9)) + "." + number(rng.range(0, 40)) + " */\n\"use strict\";";
  while (out.size() < target) {
    const std::string name = identifier(rng), a = identifier(rng), b = identifier(rng);
    out += "function " + name + "(e,t){var n=e." + a + "||[],r=" + number(rng.range(0, 999)) +
           ";for(var i=0;i<n.length;i++){if(n[i]." + b + "===t)return n[i];r+=n[i].length|0}return r>" +
           number(rng.range(10, 5000)) + "?\"" + rng.hex(rng.range(6, 24)) + "\":null}";
    if (rng.chance(0.4))
      out += "var " + identifier(rng) + "={" + identifier(rng) + ":\"" + words(rng, 3, '-') + "\"," + identifier(rng) +
             ":" + number(rng.range(0, 100000)) + "};";
  }
  return out + "\n";
}

// Minified CSS of about `target` bytes.
std::string style_text(WorkloadRandom& rng, std::size_t target) {
  std::string out;
  while (out.size() < target) {
    out += "." + words(rng, 2, '-') + (rng.chance(0.3) ? " ." + words(rng, 1, '-') : "") +
           "{margin:" + number(rng.range(0, 32)) + "px " + number(rng.range(0, 32)) +
           "px;padding:" + number(rng.range(0, 24)) + "px;color:#" + rng.hex(6) +
           ";font-size:" + number(rng.range(10, 28)) + "px;display:" + (rng.chance(0.5) ? "flex" : "block") + "}";
  }
  return out + "\n";
}

// An SVG icon sheet of about `target` bytes.
std::string svg_text(WorkloadRandom& rng, std::size_t target) {
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" style=\"display:none\">";
  while (out.size() < target) {
    out += "<symbol id=\"icon-" + words(rng, 2, '-') + "\" viewBox=\"0 0 24 24\"><path d=\"M";
    for (int i = 0; i < 12; ++i) out += number(rng.range(0, 24)) + "." + number(rng.range(0, 99)) + (i % 2 ? " " : ",");
    out += "z\"/></symbol>";
  }
  return out + "</svg>\n";
}

}  // namespace bench::pcap_workload
