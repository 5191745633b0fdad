// Pages, sessions, stats, SQL and small results as compact text (the
// exchange detail is in exchange_text.cpp).
#include "mcp/compact_text.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "common/timestamp.h"
#include "mcp/summary_rows.h"

namespace trafficdb::mcp {
namespace {

using json = nlohmann::json;

std::string text_of(const json& object, const char* name) {
  const json& v = member(object, name);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// "12ms", "3.4ms", "-": a duration short enough for a page line.
std::string millis_text(const json& ms) {
  if (!ms.is_number()) return "-";
  const double v = ms.get<double>();
  char buf[32];
  if (v < 10) std::snprintf(buf, sizeof buf, "%.1fms", v);
  else std::snprintf(buf, sizeof buf, "%.0fms", v);
  return buf;
}

// "application/json; charset=utf-8" -> "json": enough to tell what a body is.
std::string subtype_of(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  if (const auto slash = t.find('/'); slash != std::string::npos) t = t.substr(slash + 1);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return one_line(t, 24);
}

// Microseconds since the epoch -> {"2026-01-15", "10:00:00.123"}.
std::pair<std::string, std::string> date_and_time(const json& micros) {
  if (!micros.is_number_integer()) return {"", ""};
  const std::string iso = format_iso8601(micros.get<std::int64_t>());  // 2026-01-15T10:00:00.123456Z
  if (iso.size() < 23 || iso[10] != 'T') return {"", iso};
  return {iso.substr(0, 10), iso.substr(11, 12)};
}

// One exchange of a page (`x`: summary_row_object); the host is left out
// when the header line names the one host of the page.
std::string page_line(const json& x, const std::string& page_date, bool shared_host) {
  const auto& [date, time] = date_and_time(x["started_at_us"]);
  std::string line = std::to_string(x["id"].get<std::int64_t>());
  line += ' ';
  line += time.empty() ? "-" : date == page_date ? time : date + "T" + time;
  line += ' ' + one_line(x["method"].get<std::string>(), 20);
  std::string target = (shared_host ? std::string() : x["host"].get<std::string>()) + x["path"].get<std::string>();
  if (x["query"].is_string()) target += "?" + x["query"].get<std::string>();
  line += ' ' + one_line(target, 160);
  line += ' ' + (x["status"].is_number() ? std::to_string(x["status"].get<int>()) : std::string("-"));
  line += ' ' + millis_text(x["duration_ms"]);
  line += ' ' + (x["req_body_size"].is_number() ? std::to_string(x["req_body_size"].get<std::int64_t>()) : "0") +
          "/" + (x["resp_body_size"].is_number() ? std::to_string(x["resp_body_size"].get<std::int64_t>()) : "-");
  if (x["resp_content_type"].is_string()) line += ' ' + subtype_of(x["resp_content_type"].get<std::string>());
  if (x["error"].is_string()) line += " error: " + one_line(x["error"].get<std::string>(), 120);
  return line + '\n';
}

}  // namespace

std::string one_line(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (out.size() >= max && (c & 0xC0) != 0x80) {
      out += "…";
      break;
    }
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

const json& member(const json& object, const char* name) {
  static const json null_value;
  return object.is_object() && object.contains(name) ? object.at(name) : null_value;
}

std::string scalar_text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string page_text(const json& page, const ContentFence& fence) {
  const std::size_t count = page.at("rows").size();
  std::vector<json> rows;
  for (std::size_t i = 0; i < count; ++i) rows.push_back(summary_row_object(page, i));
  std::string out = std::to_string(count) + (count == 1 ? " exchange" : " exchanges");
  if (count > 0)
    out += ", ids " + std::to_string(rows.front()["id"].get<std::int64_t>()) + ".." +
           std::to_string(rows.back()["id"].get<std::int64_t>());
  if (member(page, "total").is_number())
    out += "; total " + std::to_string(page.at("total").get<std::int64_t>()) +
           (member(page, "total_capped") == true ? "+" : "");
  if (page.contains("consumer")) out += "; consumer " + one_line(member(page, "consumer").get<std::string>(), 100);
  out += page.at("next_cursor").is_number()
             ? "; more: next_cursor " + std::to_string(page.at("next_cursor").get<std::int64_t>()) + "\n"
             : "; next_cursor null: no more now\n";
  if (const json& behind = member(page, "search_index_behind"); behind.is_object())
    out += "search indexes not caught up (about " + behind.value("exchanges", json(0)).dump() + " exchanges, " +
           behind.value("bodies", json(0)).dump() +
           " bodies behind): this search scanned them, so it is complete but slower; they catch up by themselves\n";
  if (rows.empty()) return out;
  const std::string page_date = date_and_time(rows.front()["started_at_us"]).first;
  bool shared_host = true;
  for (const json& x : rows) shared_host = shared_host && x["host"] == rows.front()["host"];
  out += "id time" + (page_date.empty() ? std::string() : "(UTC " + page_date + ")") + " method " +
         (shared_host ? "path" : "host+path") + " status duration req/resp-body-bytes type\n";
  std::string lines;
  if (shared_host) lines = "all on host " + one_line(rows.front()["host"].get<std::string>(), 200) + "\n";
  for (const json& x : rows) lines += page_line(x, page_date, shared_host);
  return out + fence.wrap(lines);
}

// "  integrity: packets 812, tcp_gap_bytes 1200, tls_without_keys 3; 0: kernel_dropped, bodies_cut, ..."
// then one fenced block per split count ("tls_not_decrypted_by_server").
// Counts split by a server name come from the network: fenced.
std::string integrity_line(const json& integrity, const ContentFence& fence) {
  if (!integrity.is_object()) return {};
  std::string nonzero, zero, split;
  for (const auto& [name, value] : integrity.items()) {
    if (name == "source_counts") continue;
    if (value.is_number()) {
      std::string& into = value.get<double>() != 0 ? nonzero : zero;
      into += (into.empty() ? "" : ", ") + name + (value.get<double>() != 0 ? " " + value.dump() : "");
    } else if (value.is_object()) {
      std::string entries;
      for (const auto& [detail, n] : value.items()) entries += one_line(detail, 200) + " " + n.dump() + "\n";
      split += "  " + name + ":\n" + fence.wrap(entries);
    }
  }
  std::string out = "  integrity: ";
  if (integrity.value("source_counts", false) == false) out += "(the source's counts predate this session) ";
  out += nonzero;
  if (!zero.empty()) out += (nonzero.empty() ? "0: " : "; 0: ") + zero;
  return out + "\n" + split;
}

std::string sessions_text(const json& sessions, const ContentFence& fence) {
  const json& items = sessions.at("items");
  std::string out = std::to_string(items.size()) + " sessions, newest first" +
                    (sessions.at("next_cursor").is_number()
                         ? "; more: next_cursor " + std::to_string(sessions.at("next_cursor").get<std::int64_t>())
                         : std::string("; no more")) +
                    "\n";
  for (const json& s : items) {
    out += std::to_string(s.at("id").get<std::int64_t>()) + " " + json(one_line(text_of(s, "name"), 120)).dump() +
           " " + text_of(s, "source") + " " + text_of(s, "status") + ", " +
           std::to_string(s.at("exchange_count").get<std::int64_t>()) + " exchanges, " +
           std::to_string(s.at("error_count").get<std::int64_t>()) + " errors, " +
           scalar_text(member(s, "first_exchange_at")) + " .. " + scalar_text(member(s, "last_exchange_at"));
    if (member(s, "pruned_count").is_number() && s.at("pruned_count").get<std::int64_t>() > 0)
      out += ", " + s.at("pruned_count").dump() + " pruned";
    if (member(s, "error").is_string()) out += ", error: " + one_line(text_of(s, "error"), 200);
    out += '\n' + integrity_line(member(s, "integrity"), fence);
  }
  const json& database = member(sessions, "database");
  if (database.is_object()) {
    const json& policy = member(database, "retention");
    const json& pruned = member(database, "pruned");
    out += "database: " + scalar_text(member(database, "size_bytes")) + " bytes used, " +
           scalar_text(member(database, "free_bytes")) + " free; retention: max_age " +
           scalar_text(member(policy, "max_age")) + ", max_size_bytes " + scalar_text(member(policy, "max_size_bytes")) +
           "; pruned " + scalar_text(member(pruned, "exchanges")) + " exchanges, " +
           scalar_text(member(pruned, "bodies")) + " bodies, " + scalar_text(member(pruned, "bytes_given_back")) +
           " bytes given back, last " + scalar_text(member(pruned, "last_pruned_at")) + "\n";
  }
  return out;
}

std::string stats_text(const json& stats, const ContentFence& fence) {
  const json& items = stats.at("items");
  std::string out = "by " + text_of(stats, "group_by") + ": " + std::to_string(stats.at("total").get<std::int64_t>()) +
                    " exchanges in " + std::to_string(stats.at("groups").get<std::int64_t>()) + " groups, " +
                    std::to_string(items.size()) + " shown, largest first\n";
  if (member(stats, "partial") == true)
    out += "partial: the time limit (" + member(stats, "time_limit_ms").dump() +
           " ms) stopped the count; narrow the filter or raise time_limit_ms\n";
  if (member(stats, "groups_capped") == true) out += "more groups than kept: the rest are under (other groups)\n";
  if (items.empty()) return out;
  out += "key count 5xx 4xx error_rate response_bytes p50/p95/max_ms\n";
  std::string lines;
  for (const json& r : items) {
    lines += one_line(scalar_text(member(r, "key")), 200) + " " + scalar_text(member(r, "count")) + " " +
             scalar_text(member(r, "errors")) + " " + scalar_text(member(r, "client_errors")) + " " +
             scalar_text(member(r, "error_rate")) + " " + scalar_text(member(r, "response_bytes")) + " " +
             scalar_text(member(r, "p50_ms")) + "/" + scalar_text(member(r, "p95_ms")) + "/" +
             scalar_text(member(r, "max_ms")) + "\n";
  }
  return out + fence.wrap(lines);
}

std::string sql_text(const json& result, const ContentFence& fence) {
  const json& rows = result.at("rows");
  std::string out = std::to_string(rows.size()) + " rows";
  if (result.at("row_limit_hit") == true) out += " (max_rows reached: there are more)";
  if (result.at("byte_limit_hit") == true) out += " (output size limit reached: there are more)";
  std::string columns;
  for (const json& c : result.at("columns")) columns += (columns.empty() ? "" : " | ") + one_line(c.get<std::string>(), 100);
  out += "; columns: " + columns + "\n";
  if (rows.empty()) return out;
  std::string lines;
  for (const json& row : rows) {
    std::string line;
    for (const json& v : row) {
      if (!line.empty()) line += " | ";
      line += v.is_object() ? "<blob " + scalar_text(member(v, "blob_bytes")) + " bytes>"
              : v.is_null() ? std::string("NULL")
                            : one_line(scalar_text(v), 1000);
    }
    lines += line + "\n";
  }
  return out + fence.wrap(lines);
}

std::string saved_body_text(const json& saved, const ContentFence& fence) {
  std::string out = "saved the " + text_of(saved, "part") + " body of exchange " + scalar_text(member(saved, "id")) +
                    ": " + scalar_text(member(saved, "size")) + " bytes to " + text_of(saved, "path");
  if (member(saved, "complete") == false)
    out += " (only part of it was stored: the whole was " + scalar_text(member(saved, "full_size")) + " bytes)";
  out += "\n";
  if (!member(saved, "content_type").is_string()) return out + "content type: none\n";
  return out + "content type:\n" + fence.wrap(one_line(text_of(saved, "content_type"), 400));
}

std::string fields_text(const json& result, const ContentFence&) {
  std::string out;
  for (const auto& [name, value] : result.items())
    out += name + ": " + one_line(value.is_structured() ? value.dump(-1, ' ', false, json::error_handler_t::replace)
                                                        : scalar_text(value),
                                  2000) +
           "\n";
  return out;
}

}  // namespace trafficdb::mcp
