#!/usr/bin/env bash
# Checks that the house holds (docs/architecture.md): every #include of a
# project header, and every project library a folder's CMakeLists.txt links,
# goes only where the folder's row of the table allows; and that libpcap and
# Boost headers stay inside recorder/. Prints each offence with its file and
# line and exits 1 when there is one; exits 0 and says so when there is none.
#   scripts/check_includes.sh        (CI runs it)
set -euo pipefail
cd "$(dirname "$0")/.."

# folder -> the other project folders it may use ("*": any). Every folder
# may use itself.
declare -A allowed=(
  [common]=""
  [model]="common"
  [recorder]="common model"
  [store]="common model"
  [ingest]="common model recorder store"
  [query]="common model store"
  [mcp]="common query ingest"
  [web]="common query ingest"
  [cli]="*"
)
project_folders="common model recorder store ingest query mcp web cli"

may_use() {  # may_use FOLDER TARGET_FOLDER
  local from=$1 to=$2
  [[ $from == "$to" ]] && return 0
  [[ ${allowed[$from]} == "*" ]] && return 0
  [[ " ${allowed[$from]} " == *" $to "* ]]
}

offences=0
say() { echo "$1"; offences=$((offences + 1)); }

for folder in "${!allowed[@]}"; do
  [[ -d $folder ]] || continue
  while IFS= read -r file; do
    lineno=0
    while IFS= read -r line; do
      lineno=$((lineno + 1))
      [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"\<]([^\"\>]+)[\"\>] ]] || continue
      target=${BASH_REMATCH[1]}
      top=${target%%/*}
      if [[ $target == */* && " $project_folders " == *" $top "* ]]; then
        may_use "$folder" "$top" || say "$file:$lineno: $folder/ may not include $target (allowed: ${allowed[$folder]:-nothing else})"
      elif [[ $folder != recorder && $folder != cli && ($target == pcap.h || $target == pcap/* || $target == boost/*) ]]; then
        say "$file:$lineno: $target belongs in recorder/ only"
      fi
    done < "$file"
  done < <(find "$folder" -name '*.h' -o -name '*.cpp' | sort)

  # Project libraries the folder's target links.
  if [[ -f $folder/CMakeLists.txt ]]; then
    linked=$(tr '\n' ' ' < "$folder/CMakeLists.txt" | grep -o 'target_link_libraries([^)]*)' || true)
    for word in $linked; do
      word=${word#target_link_libraries(}
      word=${word%)}
      if [[ " $project_folders " == *" $word "* ]] && [[ $word != "$folder" && $word != trafficdb ]]; then
        may_use "$folder" "$word" || say "$folder/CMakeLists.txt: $folder links $word (allowed: ${allowed[$folder]:-nothing else})"
      fi
    done
  fi
done

if ((offences)); then
  echo "check_includes: $offences offence(s) against the table in docs/architecture.md" >&2
  exit 1
fi
echo "check_includes: every include and link follows docs/architecture.md"
