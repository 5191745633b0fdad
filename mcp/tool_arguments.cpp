#include "mcp/tool_arguments.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/comma_list.h"
#include "query/filter_spec.h"

namespace trafficdb::mcp {
namespace {

using json = nlohmann::json;

const char* type_name(ParamSpec::Type t) {
  switch (t) {
    case ParamSpec::Type::integer: return "integer";
    case ParamSpec::Type::number: return "number";
    case ParamSpec::Type::string: return "string";
    case ParamSpec::Type::boolean: return "boolean";
    case ParamSpec::Type::string_list: return "array";
    case ParamSpec::Type::object: return "object";
  }
  return "string";
}

std::string example_of(const ParamSpec& p) {
  if (!p.example.empty()) return "{\"" + p.name + "\": " + p.example + "}";
  if (!p.default_value.is_null()) return "{\"" + p.name + "\": " + p.default_value.dump() + "}";
  if (!p.choices.empty()) return "{\"" + p.name + "\": \"" + p.choices.front() + "\"}";
  return "";
}

Status wrong(const ParamSpec& p, const std::string& what) {
  const std::string example = example_of(p);
  return Status::error("argument '" + p.name + "' " + what + (example.empty() ? "" : "; for example " + example));
}

std::string number_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return std::to_string(v);
}

std::string trimmed(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

bool whole_number(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e15;
}

// "42", " -7 " as an integer; nullopt for anything else ("4.5", "abc", "").
std::optional<std::int64_t> integer_in(const std::string& text) {
  const std::string t = trimmed(text);
  const char* begin = t.data() + (!t.empty() && t[0] == '+' ? 1 : 0);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(begin, t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return v;
}

// "2.5", "10", "1e3" as a finite number; nullopt for anything else ("inf", "0x10", "abc").
std::optional<double> number_in(const std::string& text) {
  const std::string t = trimmed(text);
  const bool plain = !t.empty() && t.find_first_not_of("0123456789+-.eE") == std::string::npos;
  if (!plain) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> boolean_in(const std::string& text) {
  std::string t = trimmed(text);
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "true") return true;
  if (t == "false") return false;
  return std::nullopt;
}

// An error about a field of object parameter `object`: "argument 'x'" becomes
// "argument 'object.x'", "unknown argument" "unknown field of 'object'".
std::string prefixed_names(std::string message, const std::string& object) {
  if (message.rfind("argument '", 0) == 0) return "argument '" + object + "." + message.substr(10);
  if (message.rfind("unknown argument", 0) == 0) return "unknown field of '" + object + "'" + message.substr(16);
  return "argument '" + object + "': " + message;
}

// The value as the parameter's type, when its meaning is plain (see
// tool_arguments.h); an error saying what was expected otherwise.
Result<json> as_declared_type(const ParamSpec& p, const json& value) {
  switch (p.type) {
    case ParamSpec::Type::integer:
      if (whole_number(value)) return json(value.get<std::int64_t>());
      if (value.is_string())
        if (auto v = integer_in(value.get<std::string>())) return json(*v);
      return wrong(p, "must be an integer, not " + value.dump());
    case ParamSpec::Type::number:
      if (value.is_number()) return value;
      if (value.is_string())
        if (auto v = number_in(value.get<std::string>())) return json(*v);
      return wrong(p, "must be a number, not " + value.dump());
    case ParamSpec::Type::string:
      if (value.is_string()) return value;
      if (whole_number(value)) return json(std::to_string(value.get<std::int64_t>()));
      return wrong(p, "must be a string, not " + value.dump());
    case ParamSpec::Type::boolean:
      if (value.is_boolean()) return value;
      if (value.is_string())
        if (auto v = boolean_in(value.get<std::string>())) return json(*v);
      return wrong(p, "must be true or false, not " + value.dump());
    case ParamSpec::Type::string_list: {
      json items = json::array();
      if (value.is_string()) {
        for (std::string& item : split_comma_list(value.get<std::string>())) items.push_back(std::move(item));
        return items;
      }
      if (!value.is_array()) return wrong(p, "must be a list of strings, not " + value.dump());
      for (const json& item : value) {
        if (!item.is_string()) return wrong(p, "must be a list of strings; " + item.dump() + " is not a string");
        items.push_back(item);
      }
      return items;
    }
    case ParamSpec::Type::object: {
      json object = value;
      if (value.is_string()) object = json::parse(value.get<std::string>(), nullptr, false);
      if (!object.is_object()) return wrong(p, "must be an object, not " + value.dump());
      auto checked = check_arguments(object, p.fields);
      if (!checked.is_ok()) return Status::error(prefixed_names(checked.status().message(), p.name));
      return checked;
    }
  }
  return value;
}

// Levenshtein distance, for suggesting the argument a typo meant.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

Status unknown_argument(const std::string& name, const std::vector<ParamSpec>& params) {
  std::string names, closest;
  std::size_t best = 3;  // suggest only near misses
  for (const ParamSpec& p : params) {
    names += (names.empty() ? "" : ", ") + p.name;
    if (const std::size_t d = edit_distance(name, p.name); d < best) {
      best = d;
      closest = p.name;
    }
  }
  return Status::error("unknown argument '" + name + "'" + (closest.empty() ? "" : " (did you mean '" + closest + "'?)") +
                       "; this tool takes: " + names);
}

}  // namespace

json input_schema(const std::vector<ParamSpec>& params) {
  json properties = json::object();
  json required = json::array();
  for (const ParamSpec& p : params) {
    json s = {{"type", type_name(p.type)}, {"description", p.description}};
    if (!p.default_value.is_null()) s["default"] = p.default_value;
    if (p.minimum) s["minimum"] = *p.minimum;
    if (p.maximum) s["maximum"] = *p.maximum;
    if (p.type == ParamSpec::Type::object) {
      const json fields = input_schema(p.fields);
      s["properties"] = fields.at("properties");
      s["additionalProperties"] = false;
      if (fields.contains("required")) s["required"] = fields.at("required");
    }
    if (!p.choices.empty() && p.type == ParamSpec::Type::string_list)
      s["items"] = {{"type", "string"}, {"enum", p.choices}};
    else if (!p.choices.empty())
      s["enum"] = p.choices;
    properties[p.name] = std::move(s);
    if (p.required) required.push_back(p.name);
  }
  json schema = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

Result<json> check_arguments(const json& arguments, const std::vector<ParamSpec>& params) {
  if (!arguments.is_null() && !arguments.is_object()) return Status::error("arguments must be a JSON object");
  json out = json::object();
  if (arguments.is_object()) {
    for (const auto& [name, value] : arguments.items()) {
      bool known = false;
      for (const ParamSpec& p : params) known = known || p.name == name;
      if (!known) return unknown_argument(name, params);
    }
  }
  for (const ParamSpec& p : params) {
    const json* value = arguments.is_object() && arguments.contains(p.name) ? &arguments.at(p.name) : nullptr;
    if (!value || value->is_null()) {
      if (p.required) return wrong(p, "is required");
      if (!p.default_value.is_null()) out[p.name] = p.default_value;
      continue;
    }
    auto typed = as_declared_type(p, *value);
    if (!typed.is_ok()) return typed.status();
    json v = std::move(typed).value();
    if (v.is_number()) {
      const double d = v.get<double>();
      if ((p.minimum && d < *p.minimum) || (p.maximum && d > *p.maximum))
        return wrong(p, "must be between " + number_text(p.minimum.value_or(-1e18)) + " and " +
                            number_text(p.maximum.value_or(1e18)) + ", not " + value->dump());
    }
    if (!p.choices.empty()) {
      for (const json& item : v.is_array() ? v : json::array({v})) {
        bool listed = false;
        for (const std::string& c : p.choices) listed = listed || item == c;
        if (!listed) {
          std::string list;
          for (const std::string& c : p.choices) list += (list.empty() ? "" : ", ") + c;
          return wrong(p, "must be one of " + list + ", not " + item.dump());
        }
      }
    }
    out[p.name] = std::move(v);
  }
  return out;
}

std::vector<ParamSpec> filter_params() {
  using T = ParamSpec::Type;
  return {
      {"session_id", T::integer, "Only this session (see list_sessions)", nullptr, 1, std::nullopt, {}, false, "3"},
      {"source", T::string, "Only sessions from this source", nullptr, std::nullopt, std::nullopt,
       {"pcap", "pcap-live", "har", "charles", "charles-live", "httptoolkit", "replay"}},
      {"host", T::string, "Host: exact, *.example.com (domain and subdomains) or *part* (substring)", nullptr,
       std::nullopt, std::nullopt, {}, false, "\"*.example.com\""},
      {"method", T::string, "Method, or several separated by commas (GET,POST)", nullptr, std::nullopt,
       std::nullopt, {}, false, "\"GET,POST\""},
      {"status", T::string, "Status: 404, 5xx, 400-499, or a comma list (200,304)", nullptr, std::nullopt,
       std::nullopt, {}, false, "\"5xx\""},
      {"path_prefix", T::string, "Path (without the query) starts with this", nullptr},
      {"path_contains", T::string, "Path contains this", nullptr},
      {"path_glob", T::string, "Path matches this SQLite GLOB (* ? [..])", nullptr, std::nullopt, std::nullopt, {},
       false, "\"/api/*/items\""},
      {"endpoint", T::string,
       "Method and path template as traffic_stats group_by endpoint shows it, or the template alone "
       "(a real path works too: its ids are templated)", nullptr, std::nullopt, std::nullopt, {}, false,
       "\"GET /users/{id}\""},
      {"url_contains", T::string, "URL contains this (case-insensitive)", nullptr},
      {"url_regex", T::string, "URL matches this RE2 regular expression", nullptr, std::nullopt, std::nullopt, {},
       false, "\"/users/[0-9]+$\""},
      {"req_content_type", T::string, "Request media type, or a glob such as image/*", nullptr},
      {"resp_content_type", T::string, "Response media type, or a glob such as image/*", nullptr, std::nullopt,
       std::nullopt, {}, false, "\"application/json\""},
      {"header", T::string, "Has this header (NAME), or one whose value contains VALUE (NAME:VALUE)", nullptr,
       std::nullopt, std::nullopt, {}, false, "\"X-Request-Id\""},
      {"body_contains", T::string, "Request or response body contains this text (case-insensitive)", nullptr},
      {"has_error", T::boolean, "true: only failed or incomplete exchanges; false: only whole ones", nullptr},
      {"min_duration_ms", T::number, "At least this slow, in milliseconds", nullptr, 0},
      {"min_size", T::integer, "Response body at least this many bytes (decoded)", nullptr, 0},
      {"max_size", T::integer, "Response body at most this many bytes (decoded)", nullptr, 0},
      {"since", T::string, "Started at or after: ISO-8601, or a duration back from now (10m, 2h, 3d)", nullptr,
       std::nullopt, std::nullopt, {}, false, "\"2h\""},
      {"until", T::string, "Started before: ISO-8601, or a duration back from now", nullptr, std::nullopt,
       std::nullopt, {}, false, "\"2026-11-22T10:00:00Z\""},
  };
}

namespace {

// Methods a filter may name: the registered ones people meet. Others are
// refused as typos (run_sql reaches any method).
bool known_method(std::string m) {
  for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* k : {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY",
                        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
                        "PURGE", "LINK", "UNLINK", "MKCALENDAR"})
    if (m == k) return true;
  return false;
}

}  // namespace

std::vector<ParamSpec> with_filters(std::vector<ParamSpec> params) {
  for (ParamSpec& p : filter_params()) params.push_back(std::move(p));
  return params;
}

Result<ExchangeFilter> filter_from_arguments(const json& a) {
  FilterSpec spec;
  auto text = [&](const char* name) { return a.contains(name) ? a.at(name).get<std::string>() : std::string(); };
  if (a.contains("session_id")) spec.sessions.push_back(a.at("session_id").get<std::int64_t>());
  if (a.contains("source")) spec.sources.push_back(text("source"));
  if (a.contains("host")) spec.hosts.push_back(text("host"));
  if (a.contains("method")) {
    for (std::string& m : split_comma_list(text("method"))) {
      if (!known_method(m))
        return Status::error("argument 'method': unknown method '" + m +
                             "' (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, CONNECT, QUERY, WebDAV's...; "
                             "run_sql reaches any other); for example {\"method\": \"GET,POST\"}");
      spec.methods.push_back(std::move(m));
    }
  }
  spec.status = text("status");
  spec.path_prefix = text("path_prefix");
  spec.path_contains = text("path_contains");
  spec.path_glob = text("path_glob");
  spec.endpoint = text("endpoint");
  spec.url_contains = text("url_contains");
  spec.url_regex = text("url_regex");
  spec.req_type = text("req_content_type");
  spec.resp_type = text("resp_content_type");
  spec.header = text("header");
  spec.body_contains = text("body_contains");
  if (a.contains("has_error")) (a.at("has_error").get<bool>() ? spec.errors : spec.no_errors) = true;
  if (a.contains("min_duration_ms")) spec.min_duration_ms = a.at("min_duration_ms").get<double>();
  if (a.contains("min_size")) spec.min_size = a.at("min_size").get<std::int64_t>();
  if (a.contains("max_size")) spec.max_size = a.at("max_size").get<std::int64_t>();
  spec.since = text("since");
  spec.until = text("until");
  auto filter = spec.build([](std::string_view field) {
    return field == "errors" ? std::string("has_error") : "argument '" + std::string(field) + "'";
  });
  if (!filter.is_ok()) {
    const std::string message = filter.status().message();
    for (const ParamSpec& p : filter_params())
      if (message.rfind("argument '" + p.name + "'", 0) == 0 && !p.example.empty())
        return Status::error(message + "; for example {\"" + p.name + "\": " + p.example + "}");
    return filter.status();
  }
  return filter;
}

}  // namespace trafficdb::mcp
