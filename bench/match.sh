#!/usr/bin/env bash
# Matching throughput and memory (issue 4): a window of 10k, 100k and 1M tickets, the rare-gram
# index against brute force in the same run, on one core, built as the daemon ships
# (RelWithDebInfo, -O2). Usage: bench/match.sh [window…]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD=build/bench
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHS_TESTS=OFF -DHS_BENCH=ON >/dev/null
ninja -C "$BUILD" -j"$(nproc)" match_bench >/dev/null
taskset -c 1 "$BUILD/bench/match_bench" "$@"
