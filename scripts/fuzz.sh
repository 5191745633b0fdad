#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for a
# bounded time, starting from the checked-in corpus (which is not modified).
# A crash, hang (10 s per input) or an input using over 2 GB fails the run;
# the input that did it is left in build-fuzz/artifacts/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DTRAFFICDB_FUZZ=ON >/dev/null
cmake --build build-fuzz -j2 --target http_stream_fuzzer packet_fuzzer http2_frames_fuzzer tls_records_fuzzer

mkdir -p build-fuzz/artifacts
for name in http_stream packet http2_frames tls_records; do
  work="build-fuzz/corpus-$name"
  mkdir -p "$work"
  cp -n fuzz/corpus/$name/* "$work"/ 2>/dev/null || true
  echo "fuzzing $name for ${seconds}s"
  build-fuzz/fuzz/${name}_fuzzer "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/$name- 2>&1 | tail -n 12
done
