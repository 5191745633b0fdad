# cmake -P script: writes OUTPUT, a C++ file defining trafficdb::embedded_migrations()
# from the SQL files in MIGRATIONS_DIR (named NNNN_description.sql, applied in order).
file(GLOB INPUTS ${MIGRATIONS_DIR}/*.sql)
list(SORT INPUTS)
set(body "")
set(expected 1)
foreach(path IN LISTS INPUTS)
  get_filename_component(name ${path} NAME)
  if(NOT name MATCHES "^([0-9][0-9][0-9][0-9])_.*\\.sql$")
    message(FATAL_ERROR "migration file ${name} is not named NNNN_description.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "migration ${name}: expected version ${expected} (versions must be 1, 2, 3, ... without gaps)")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ ${path} sql)
  if(sql MATCHES "\\)trafficdb_sql\"")
    message(FATAL_ERROR "migration ${name} contains the raw-string delimiter")
  endif()
  string(APPEND body "    {${version}, \"${name}\", R\"trafficdb_sql(${sql})trafficdb_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp
"// Generated from migrations/*.sql by cmake/embed_migrations.cmake. Do not edit.
#include \"store/migrations.h\"

namespace trafficdb {

const std::vector<Migration>& embedded_migrations() {
  static const std::vector<Migration> migrations = {
${body}  };
  return migrations;
}

}  // namespace trafficdb
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
