#!/usr/bin/env bash
# Configures and builds trafficdb.
#   scripts/build.sh          release build in build/: the trafficdb binary, its man pages and
#                             what `cmake --install build` / `cpack -G DEB` need; no tests, no benchmarks
#   scripts/build.sh asan     AddressSanitizer + UBSan build in build-asan/ with the test suite
#                             (what the tests run on; needs `scripts/setup.sh test`)
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-release}" in
  release) dir=build; type=RelWithDebInfo; extra=(-DTRAFFICDB_BUILD_TESTS=OFF -DTRAFFICDB_BUILD_BENCH=OFF) ;;
  asan)    dir=build-asan; type=Asan; extra=(-DTRAFFICDB_BUILD_TESTS=ON -DTRAFFICDB_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/build.sh [release|asan]" >&2; exit 1 ;;
esac

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" "${extra[@]}" > /dev/null
cmake --build "$dir" -j"$(nproc)"
