// Opening the store for the query layer: open_database plus trafficdb's SQL
// functions (regexp, fold_path), which the filters and statistics use.
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>

#include "common/status.h"
#include "store/database.h"

namespace trafficdb {

Result<std::unique_ptr<SQLite::Database>> open_query_database(const std::string& path, OpenMode mode);

}  // namespace trafficdb
