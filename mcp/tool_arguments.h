// Tool parameters: declared once, they give the tool's inputSchema and check
// the arguments a client sends (type, bounds, enums, unknown names) before
// anything runs, with messages that say what was wrong and show a correct
// example. The exchange filters every listing tool takes are here too.
//
// Checking accepts what agents send when its meaning is plain and hands the
// handler the declared type: an integer or number given as a string ("50",
// "2.5"), a whole number where a string is expected (status 200 -> "200"),
// "true"/"false" (any case) for a boolean, one string (or a comma list)
// where a list of strings is expected. What is not plain is refused with a
// message: "abc" for an integer, 20.5 for a string, 1 for a boolean. An
// unknown argument is refused with the names the tool takes. An object
// parameter declares its own fields, checked the same way (a JSON object
// given as a string is taken as the object); messages name a field as
// "changes.method".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "query/exchange_filter.h"

namespace trafficdb::mcp {

struct ParamSpec {
  enum class Type { integer, number, string, boolean, string_list, object };
  std::string name;
  Type type = Type::string;
  std::string description;
  nlohmann::json default_value = nullptr;  // null: no default
  std::optional<double> minimum, maximum;
  std::vector<std::string> choices;  // enum, for strings and for each item of a string list
  bool required = false;
  std::string example;  // shown in errors: a value that would be right
  std::vector<ParamSpec> fields;  // an object's members
};

// {"type":"object","properties":{...},"required":[...],"additionalProperties":false}
nlohmann::json input_schema(const std::vector<ParamSpec>& params);

// The arguments with defaults filled in; an error names the argument, says
// what was wrong, and gives a corrected example.
Result<nlohmann::json> check_arguments(const nlohmann::json& arguments, const std::vector<ParamSpec>& params);

// The filter parameters (docs/mcp.md), for tools that list or count exchanges.
std::vector<ParamSpec> filter_params();

// The filter from checked arguments.
Result<ExchangeFilter> filter_from_arguments(const nlohmann::json& arguments);

// `params` followed by the filter parameters.
std::vector<ParamSpec> with_filters(std::vector<ParamSpec> params);

}  // namespace trafficdb::mcp
