#!/usr/bin/env bash
# Installs every Debian 12 package trafficdb needs to build, test and benchmark.
# Idempotent; run as root (or with sudo available). Safe with no standard input.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache
  libsqlite3-dev libsqlitecpp-dev sqlite3
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev
  libpcap-dev zlib1g-dev libdeflate-dev libbrotli-dev libzstd-dev
  libcli11-dev libre2-dev libboost-dev libnghttp2-dev
  catch2 libjs-chart.js
  tcpdump curl openssl nginx-light nghttp2-client python3-grpcio apache2-bin
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The Node.js peers some tests drive trafficdb against (MCP SDK client, Mockttp).
"$(dirname "$0")/setup-node.sh"
