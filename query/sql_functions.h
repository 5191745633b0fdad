// SQL functions trafficdb adds to its connections (and so to `trafficdb sql`):
//
//   regexp(pattern, text)  RE2 match (linear time, no catastrophic
//                          backtracking); makes `text REGEXP pattern` work.
//                          Patterns over 4096 characters or needing more
//                          than 8 MiB of RE2 memory are refused with an error.
//   fold_path(path)        the path with numeric, UUID and long hex segments
//                          replaced by {id}: /users/42/orders -> /users/{id}/orders.
//   path_template(path)    the endpoint's template (model/path_template.h):
//                          /users/42/keys/9f8e...-... -> /users/{id}/keys/{uuid};
//                          deterministic and innocuous (reads only its argument).
#pragma once

#include <string>
#include <string_view>

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

Status register_sql_functions(SQLite::Database& db);

std::string fold_path(std::string_view path);

}  // namespace trafficdb
