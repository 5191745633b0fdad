#!/usr/bin/env bash
# The systemd user unit (packaging/systemd/trafficdb-record@.service.in):
#  1. `systemd-analyze --user verify` finds nothing to say about it (skipped
#     when systemd-analyze is absent);
#  2. its ExecStart, as systemd would run it (`$$` made `$`, %i the instance,
#     the environment from an env file like example.env), starts a recorder
#     that reads TRAFFICDB and TRAFFICDB_SOURCE (a quoted name with a space
#     survives), waits (--wait) for an admin server that is not there, and
#     on SIGTERM ends its session 'stopped' with the wait counted.
#   tests/systemd_unit_test.sh TRAFFICDB SOURCE_DIR
set -uo pipefail
binary=$1 source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

unit="$tmp/trafficdb-record@t1.service"
sed "s|@TRAFFICDB_INSTALLED_BINARY@|$binary|" "$source_dir/packaging/systemd/trafficdb-record@.service.in" >"$unit"

if command -v systemd-analyze >/dev/null; then
  mkdir -m 700 "$tmp/runtime"
  said=$(XDG_RUNTIME_DIR="$tmp/runtime" HOME="$tmp" systemd-analyze --user --man=no verify "$unit" 2>&1)
  rc=$?
  # It exits 0 on most warnings: any word from it is a finding.
  [ $rc -eq 0 ] && [ -z "$said" ] || fail "systemd-analyze verify (exit $rc): $said"
else
  echo "systemd-analyze is not installed: the unit's syntax is not checked"
fi

# ExecStart as systemd passes it to exec: one line, "$$" → "$", %i → t1.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[ -n "$exec_start" ] || fail "no ExecStart"
exec_start=${exec_start//\$\$/\$}
exec_start=${exec_start//%i/t1}
# A closed port: nothing listens there.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TRAFFICDB="$tmp/t.db"
export TRAFFICDB_SOURCE="httptoolkit --admin http://127.0.0.1:$port --listen 0 --name 'service test'"
eval "exec $exec_start" 2>"$tmp/err" &  # the recorder itself is $!
pid=$!
for _ in $(seq 1 100); do
  grep -q "waiting for the source (--wait)" "$tmp/err" && break
  sleep 0.1
done
grep -q "waiting for the source (--wait)" "$tmp/err" || fail "the recorder did not say it waits: $(cat "$tmp/err")"
kill -0 $pid 2>/dev/null || fail "the recorder exited instead of waiting: $(cat "$tmp/err")"
sleep 1.5  # a second attempt
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "exit status $rc after SIGTERM: $(cat "$tmp/err")"
row=$(sqlite3 "$TRAFFICDB" "SELECT name, status, json_extract(integrity, '\$.source_waits'),
                                  json_extract(integrity, '\$.source_wait_ms') >= 1000 FROM sessions")
[ "$row" = "service test|stopped|1|1" ] || fail "session row: [$row]; log: $(cat "$tmp/err")"

((failures == 0)) || { echo "$failures failures"; exit 1; }
echo "PASS"
