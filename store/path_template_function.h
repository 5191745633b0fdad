// The SQL function path_template(path) (model/path_template.h) on a
// connection: the migration that fills exchanges.path_template needs it, and
// query connections offer it to SQL (query/sql_functions.h).
// Deterministic and innocuous: it reads only its argument, so it is safe in
// views, triggers and indexes of any schema. NULL gives NULL.
#pragma once

#include <SQLiteCpp/Database.h>

#include "common/status.h"

namespace trafficdb {

Status register_path_template_function(SQLite::Database& db);

}  // namespace trafficdb
