#!/usr/bin/env bash
# Scoring a month over a ledger of 10,000,000 orders (issue 5), against a scan of the same facts
# without their index, built as the daemon ships. The ledger (~2 GB) is built once in build/bench
# and reused. Usage: bench/score.sh [orders]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD=build/bench
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHS_TESTS=OFF -DHS_BENCH=ON >/dev/null
ninja -C "$BUILD" -j"$(nproc)" score_bench >/dev/null
orders=${1:-10000000}
taskset -c 1 "$BUILD/bench/score_bench" "$orders" "$BUILD/score-$orders.db"
