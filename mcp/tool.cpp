#include "mcp/tool.h"

namespace trafficdb::mcp {

nlohmann::json Tool::describe() const {
  return {{"name", name},
          {"title", title},
          {"description", description},
          {"inputSchema", input_schema(params)},
          {"outputSchema", output_schema},
          {"annotations",
           {{"title", title},
            {"readOnlyHint", read_only},
            {"destructiveHint", destructive},
            {"idempotentHint", idempotent},
            {"openWorldHint", open_world}}}};
}

}  // namespace trafficdb::mcp
