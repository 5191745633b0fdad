#!/usr/bin/env bash
# Installs the Node.js test peers (tests/node/package.json, pinned by its
# package-lock.json): the official MCP SDK client and Inspector, Mockttp, and
# puppeteer-core (drives Debian's chromium in the web UI test; downloads no browser).
# Uses the machine's node and npm; installs Debian's when there are none.
# Idempotent; safe with no standard input.
set -euo pipefail
cd "$(dirname "$0")/../tests/node"

if ! command -v npm >/dev/null 2>&1; then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends nodejs npm
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
