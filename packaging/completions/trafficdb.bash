# bash completion for trafficdb. The commands, subcommands and options are
# read from `trafficdb ... --help` as you complete, so they always match the
# installed binary.

# Prints the subcommands (section "Subcommands:") or the options (every
# -x/--xyz in "Options:") of `trafficdb WORDS... --help`.
_trafficdb_help_list() {
  local what=$1
  shift
  "$_trafficdb_binary" "$@" --help 2>/dev/null | awk -v what="$what" '
    /^[A-Za-z].*:$/ { section = $0; next }
    /^$/ { section = ""; next }
    what == "subcommands" && section == "Subcommands:" && /^  [a-z]/ { print $1 }
    what == "options" && section == "Options:" && /^  -/ {
      n = split($1, names, ",")
      for (i = 1; i <= n; i++) print names[i]
    }'
}

# Whether option $2 of `trafficdb $1... --help` takes a value (its help line
# shows a type after the name, e.g. "--db TEXT").
_trafficdb_takes_value() {
  local option=$1
  shift
  "$_trafficdb_binary" "$@" --help 2>/dev/null | awk -v opt="$option" '
    /^  -/ { n = split($1, names, ","); for (i = 1; i <= n; i++) if (names[i] == opt) { found = ($2 != ""); exit } }
    END { exit found ? 0 : 1 }'
}

_trafficdb() {
  local _trafficdb_binary=${COMP_WORDS[0]}
  local cur=${COMP_WORDS[COMP_CWORD]}
  local -a path=() subcommands
  local i word
  # The command path typed so far: each word that is a subcommand of the path before it.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    [[ $word == -* ]] && continue
    mapfile -t subcommands < <(_trafficdb_help_list subcommands "${path[@]}")
    local s
    for s in "${subcommands[@]}"; do
      if [[ $s == "$word" ]]; then path+=("$word"); break; fi
    done
  done

  local prev=${COMP_WORDS[COMP_CWORD-1]}
  if ((COMP_CWORD > 1)) && [[ $prev == -* ]] && _trafficdb_takes_value "$prev" "${path[@]}"; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_trafficdb_help_list options "${path[@]}")" -- "$cur")
    return
  fi
  mapfile -t subcommands < <(_trafficdb_help_list subcommands "${path[@]}")
  if ((${#subcommands[@]})); then
    mapfile -t COMPREPLY < <(compgen -W "${subcommands[*]}" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")  # positionals: files, a SQL statement, ids
  fi
}
complete -o filenames -F _trafficdb trafficdb
