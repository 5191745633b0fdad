#!/usr/bin/env bash
# Installs the Debian 12 packages trafficdb needs.
#   scripts/setup.sh         what building and running trafficdb needs (the README's first command)
#   scripts/setup.sh test    that, plus the test suite's peers: Catch2, curl, tcpdump, nginx, nghttp2,
#                            gRPC, Apache's ab, Chromium (the web UI's browser tests) and the
#                            Node.js peers (scripts/setup-node.sh)
# Idempotent; run as root (or with sudo available). Safe with no standard input.
set -euo pipefail

case "${1:-run}" in
  run) with_tests=0 ;;
  test) with_tests=1 ;;
  *) echo "usage: scripts/setup.sh [test]" >&2; exit 1 ;;
esac

# build-essential brings dpkg-dev, whose dpkg-shlibdeps `cpack -G DEB` uses
# to compute the package's dependencies; help2man writes the man pages;
# libjs-chart.js is read at build time into `trafficdb ui`'s page.
packages=(
  build-essential cmake pkg-config ccache help2man
  libsqlite3-dev libsqlitecpp-dev sqlite3
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev
  libpcap-dev zlib1g-dev libdeflate-dev libbrotli-dev libzstd-dev
  libcli11-dev libre2-dev libboost-dev libnghttp2-dev
  libjs-chart.js
)
if ((with_tests)); then
  packages+=(catch2 tcpdump curl openssl nginx-light nghttp2-client python3-grpcio apache2-bin chromium)
fi

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
if ((with_tests)); then "$(dirname "$0")/setup-node.sh"; fi
