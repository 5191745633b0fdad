#!/usr/bin/env bash
# The bash completion (packaging/completions/trafficdb.bash) against the
# binary: for every command and subcommand `trafficdb ... --help` lists, the
# completion offers exactly those subcommands, and every option the help
# lists; each command has its man page (when MAN_DIR is given and help2man
# made them). The zsh completion too, when zsh is there.
#   tests/completion_test.sh TRAFFICDB SOURCE_DIR [MAN_DIR]
set -uo pipefail
binary=$1 source_dir=$2 man_dir=${3:-}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# shellcheck source=../packaging/completions/trafficdb.bash
source "$source_dir/packaging/completions/trafficdb.bash"
complete_words() {  # prints, sorted, what completing the last of "$@" offers
  COMP_WORDS=("$binary" "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _trafficdb
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

# The help's own lists, read with sed (not the completion's awk).
help_subcommands() {
  "$binary" "$@" --help | sed -n '/^Subcommands:$/,/^$/p' | sed -n 's/^  \([a-z0-9-]*\) .*/\1/p' | sort
}
help_options() {
  "$binary" "$@" --help | sed -n '/^Options:$/,/^$/p' | grep -o -- '^  -[^ ]*' | tr ',' '\n' | tr -d ' ' | sort
}

commands=("")  # each a space-separated command path; "" is the top level
checked=0
while ((${#commands[@]})); do
  path=${commands[0]}
  commands=("${commands[@]:1}")
  read -r -a words <<<"$path"
  expected=$(help_subcommands "${words[@]}")
  offered=$(complete_words "${words[@]}" "")
  if [ -n "$expected" ] && [ "$expected" != "$offered" ]; then
    fail "'trafficdb $path <TAB>' offers [$(echo $offered)], --help lists [$(echo $expected)]"
  fi
  options=$(help_options "${words[@]}")
  offered_options=$(complete_words "${words[@]}" "-")
  missing=$(comm -23 <(echo "$options") <(echo "$offered_options"))
  [ -z "$missing" ] || fail "'trafficdb $path -<TAB>' misses options: $(echo $missing)"
  if [ -n "$man_dir" ]; then
    page="$man_dir/trafficdb${path:+-${path// /-}}.1"
    [ -s "$page" ] || fail "no man page $page for 'trafficdb $path'"
  fi
  checked=$((checked + 1))
  for sub in $expected; do commands+=("${path:+$path }$sub"); done
done

# A value after an option that takes one completes as a file name; the
# database option is one.
tmp=$(mktemp -d)
touch "$tmp/here.db"
offered=$(complete_words --db "$tmp/he")
[ "$offered" = "$tmp/here.db" ] || fail "'trafficdb --db $tmp/he<TAB>' offers [$offered], not the file"
rm -rf "$tmp"

# The zsh completion, when zsh is here ($ZSH, else zsh on PATH): run with
# zsh's completion builtins replaced by ones that print what they are
# given (no terminal here), it offers the top-level commands and a
# subcommand's options.
zsh=${ZSH:-$(command -v zsh)}
if [ -n "$zsh" ]; then
  zsh_offers() {
    "$zsh" -f -c '
      compadd() { shift; print -r -- "$*"; }
      _describe() { print -r -- "${(@)${(P)4}%%:*}"; }
      _files() { print -r -- "(files)"; }
      words=("$@"); CURRENT=${#words}; PREFIX=${words[-1]}
      source "$0"' "$source_dir/packaging/completions/_trafficdb" "$binary" "$@"
  }
  expected=$(help_subcommands | tr '\n' ' ' | sed 's/ $//')
  offered=$(zsh_offers "" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
  [ "$offered" = "$expected" ] || fail "zsh: 'trafficdb <TAB>' offers [$offered], --help lists [$expected]"
  offered=$(zsh_offers --db x.db record pcap --)
  [[ " $offered " == *" --filter "* && " $offered " == *" --wait "* ]] ||
    fail "zsh: 'trafficdb --db x.db record pcap --<TAB>' offers [$offered]"
else
  echo "zsh is not installed: the zsh completion is not checked"
fi

echo "$checked commands checked"
((failures == 0)) || { echo "$failures failures"; exit 1; }
echo "PASS"
