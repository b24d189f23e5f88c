#!/usr/bin/env bash
# The soak (issue 7): the daemon against the simulated 12345, petition and provincial platforms
# with faults switched on at random, then the invariants (nothing lost, nothing pushed twice, the
# ledger's integrity). Built as the daemon ships (RelWithDebInfo). Usage: bench/soak.sh [seconds]
# (default 1800: 30 minutes in which the simulated city lives 20 days) [--seed N] [--keep].
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD=build/bench
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHS_TESTS=OFF -DHS_BENCH=ON >/dev/null
ninja -C "$BUILD" -j"$(nproc)" soak_bench hotline-sync >/dev/null
SECONDS_TO_RUN="${1:-1800}"
shift || true
"$BUILD/bench/soak_bench" --seconds "$SECONDS_TO_RUN" "$@"
