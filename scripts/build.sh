#!/usr/bin/env bash
# Configures and builds trafficdb.
#   scripts/build.sh          release build in build/
#   scripts/build.sh asan     AddressSanitizer + UBSan build in build-asan/ (what the tests run on)
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-release}" in
  release) dir=build; type=RelWithDebInfo; extra=() ;;
  asan)    dir=build-asan; type=Asan; extra=(-DTRAFFICDB_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/build.sh [release|asan]" >&2; exit 1 ;;
esac

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" "${extra[@]}" > /dev/null
cmake --build "$dir" -j"$(nproc)"
