#include "mcp/tool_arguments.h"

#include <cctype>
#include <cmath>

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

}  // namespace

json input_schema(const std::vector<ParamSpec>& params) {
  json properties = json::object();
  json required = json::array();
  for (const ParamSpec& p : params) {
    json s = {{"type", type_name(p.type)}, {"description", p.description}};
    if (!p.default_value.is_null()) s["default"] = p.default_value;
    if (p.minimum) s["minimum"] = *p.minimum;
    if (p.maximum) s["maximum"] = *p.maximum;
    if (!p.choices.empty()) s["enum"] = p.choices;
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
      if (!known) {
        std::string names;
        for (const ParamSpec& p : params) names += (names.empty() ? "" : ", ") + p.name;
        return Status::error("unknown argument '" + name + "'; this tool takes: " + names);
      }
    }
  }
  for (const ParamSpec& p : params) {
    const json* value = arguments.is_object() && arguments.contains(p.name) ? &arguments.at(p.name) : nullptr;
    if (!value || value->is_null()) {
      if (p.required) return wrong(p, "is required");
      if (!p.default_value.is_null()) out[p.name] = p.default_value;
      continue;
    }
    switch (p.type) {
      case ParamSpec::Type::integer:
        if (!value->is_number_integer() && !(value->is_number_float() && std::floor(value->get<double>()) ==
                                                                             value->get<double>()))
          return wrong(p, "must be an integer, not " + value->dump());
        break;
      case ParamSpec::Type::number:
        if (!value->is_number()) return wrong(p, "must be a number, not " + value->dump());
        break;
      case ParamSpec::Type::string:
        if (!value->is_string()) return wrong(p, "must be a string, not " + value->dump());
        break;
      case ParamSpec::Type::boolean:
        if (!value->is_boolean()) return wrong(p, "must be true or false, not " + value->dump());
        break;
    }
    if (value->is_number()) {
      const double v = value->get<double>();
      if ((p.minimum && v < *p.minimum) || (p.maximum && v > *p.maximum))
        return wrong(p, "must be between " + number_text(p.minimum.value_or(-1e18)) + " and " +
                            number_text(p.maximum.value_or(1e18)) + ", not " + value->dump());
    }
    if (!p.choices.empty()) {
      bool listed = false;
      for (const std::string& c : p.choices) listed = listed || *value == c;
      if (!listed) {
        std::string list;
        for (const std::string& c : p.choices) list += (list.empty() ? "" : ", ") + c;
        return wrong(p, "must be one of " + list + ", not " + value->dump());
      }
    }
    out[p.name] = p.type == ParamSpec::Type::integer ? json(value->get<std::int64_t>()) : *value;
  }
  return out;
}

std::vector<ParamSpec> filter_params() {
  using T = ParamSpec::Type;
  return {
      {"session_id", T::integer, "Only this session (see list_sessions)", nullptr, 1, std::nullopt, {}, false, "3"},
      {"source", T::string, "Only sessions from this source", nullptr, std::nullopt, std::nullopt,
       {"pcap", "pcap-live", "har", "charles", "charles-live", "httptoolkit"}},
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
    std::string list = text("method");
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t comma = list.find(',', start);
      std::string m = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!m.empty() && m.front() == ' ') m.erase(0, 1);
      while (!m.empty() && m.back() == ' ') m.pop_back();
      if (!m.empty() && !known_method(m))
        return Status::error("argument 'method': unknown method '" + m +
                             "' (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, CONNECT, QUERY, WebDAV's...; "
                             "run_sql reaches any other); for example {\"method\": \"GET,POST\"}");
      if (!m.empty()) spec.methods.push_back(m);
      if (comma == std::string::npos) break;
      start = comma + 1;
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
