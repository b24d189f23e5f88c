#!/usr/bin/env bash
# What status, /metrics, /readyz, the web page and `ticket REF` read, on a year's ledger (360,000
# tickets, ~1.5 GB, built once in build/bench and reused), with the ledger's indexes as shipped and
# without those of migration 0005 (the baseline, same run). Usage: bench/status.sh [tickets]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD=build/bench
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHS_TESTS=OFF -DHS_BENCH=ON >/dev/null
ninja -C "$BUILD" -j"$(nproc)" status_bench >/dev/null
tickets=${1:-360000}
taskset -c 1 "$BUILD/bench/status_bench" "$tickets" "$BUILD/status-$tickets.db"
