# Writes one man page per trafficdb command into OUTPUT_DIR with help2man,
# from the text the binary's --help prints, so the man pages and --help
# never disagree: trafficdb.1, then trafficdb-import.1, trafficdb-record.1,
# trafficdb-record-charles.1, ... for every command and subcommand --help
# lists under "Subcommands:". Removes pages of commands that are gone.
#   cmake -DTRAFFICDB=path/to/trafficdb -DHELP2MAN=path/to/help2man
#         -DVERSION=0.1.0 -DOUTPUT_DIR=dir -P generate_man_pages.cmake

foreach(var TRAFFICDB HELP2MAN VERSION OUTPUT_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "generate_man_pages.cmake: -D${var}=... is required")
  endif()
endforeach()

# The subcommands (name and one-line description) --help lists for `words`.
function(subcommands_of words out_names out_descriptions)
  execute_process(COMMAND ${TRAFFICDB} ${words} --help
                  OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "'trafficdb ${words} --help' failed (${rc})")
  endif()
  string(REPLACE ";" "," help "${help}")
  string(REPLACE "\n" ";" lines "${help}")
  set(names "")
  set(descriptions "")
  set(in_list FALSE)
  foreach(line IN LISTS lines)
    if(line STREQUAL "Subcommands:")
      set(in_list TRUE)
    elseif(in_list AND line MATCHES "^  ([a-z0-9-]+) +(.*)$")
      list(APPEND names "${CMAKE_MATCH_1}")
      list(APPEND descriptions "${CMAKE_MATCH_2}")
    elseif(in_list)
      set(in_list FALSE)
    endif()
  endforeach()
  set(${out_names} "${names}" PARENT_SCOPE)
  set(${out_descriptions} "${descriptions}" PARENT_SCOPE)
endfunction()

# Walks the command tree breadth first: `pages` lists the page names
# (trafficdb-record-charles); words_<page> and description_<page> say
# what each is.
set(pages trafficdb)
set(words_trafficdb "")
set(description_trafficdb "record HTTP traffic into one SQLite file and answer questions about it")
set(next 0)
list(LENGTH pages count)
while(next LESS count)
  list(GET pages ${next} page)
  math(EXPR next "${next} + 1")
  subcommands_of("${words_${page}}" names descriptions)
  set(i 0)
  foreach(name IN LISTS names)
    list(GET descriptions ${i} description)
    math(EXPR i "${i} + 1")
    list(APPEND pages "${page}-${name}")
    set(words_${page}-${name} ${words_${page}} ${name})
    set(description_${page}-${name} "${description}")
  endforeach()
  list(LENGTH pages count)
endwhile()

file(MAKE_DIRECTORY "${OUTPUT_DIR}")
set(see_also_text "[SEE ALSO]\n")
foreach(page IN LISTS pages)
  string(APPEND see_also_text ".BR ${page} (1)\n")
endforeach()
string(APPEND see_also_text
  ".PP\nThe schema, the MCP tools and running a recorder as a systemd user service are described in\n"
  ".IR /usr/share/doc/trafficdb .\n")
file(WRITE "${OUTPUT_DIR}/see_also.h2m" "${see_also_text}")

file(GLOB old_pages "${OUTPUT_DIR}/*.1")
foreach(page IN LISTS pages)
  list(JOIN words_${page} " " words_text)
  string(STRIP "trafficdb ${words_text}" program)
  execute_process(
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${VERSION}
            --name=${description_${page}} --include=${OUTPUT_DIR}/see_also.h2m
            --output=${OUTPUT_DIR}/${page}.1 "${TRAFFICDB} ${words_text}"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "help2man failed for '${program}' (${rc})")
  endif()
  # help2man names the page after the binary (TRAFFICDB, and its build
  # path in the synopsis); name it after the command.
  file(READ "${OUTPUT_DIR}/${page}.1" text)
  string(TOUPPER "${page}" title)
  string(REGEX REPLACE "\n\\.TH [^ ]+ " "\n.TH ${title} " text "${text}")
  string(REPLACE "${TRAFFICDB}" "trafficdb" text "${text}")
  file(WRITE "${OUTPUT_DIR}/${page}.1" "${text}")
  list(REMOVE_ITEM old_pages "${OUTPUT_DIR}/${page}.1")
endforeach()
if(old_pages)
  file(REMOVE ${old_pages})
endif()
list(LENGTH pages count)
message(STATUS "trafficdb: ${count} man pages in ${OUTPUT_DIR}")
