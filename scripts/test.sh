#!/usr/bin/env bash
# Builds hotline-sync and every test under AddressSanitizer and UndefinedBehaviorSanitizer, then runs
# them all with CTest. Usage: scripts/test.sh [ctest arguments, e.g. -R Contract]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

BUILD=build/test
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHS_SANITIZE=ON -DHS_TESTS=ON >/dev/null
ninja -C "$BUILD" -j"$(nproc)"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Meanwhile a short fuzz of every adapter's mapping (scripts/fuzz.sh, seconds per target), at low
# priority: the longest tests mostly sleep. Its summary is printed at the end.
mkdir -p build/fuzz
nice -n 10 scripts/fuzz.sh "${HS_FUZZ_SECONDS:-20}" > build/fuzz/fuzz.log 2>&1 &
fuzz_pid=$!
# Every test's output goes to one log, which is then searched for unmasked personal data.
LOG="$BUILD/ctest.log"
set +e
(cd "$BUILD" && ctest -V -j"$(nproc)" --timeout 900 "$@") > "$LOG" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
  grep -E "^[0-9]+: \[  FAILED  \]|Failed|\*\*\*" "$LOG" | tail -n 40 || true
  echo "test: failures above; the whole output is in $LOG" >&2
fi
pii=0
scripts/check-no-pii.sh "$LOG" || pii=1
fuzz=0
wait "$fuzz_pid" || fuzz=1
cat build/fuzz/fuzz.log
# CTest's own closing lines come last.
grep -E "tests passed|Total Test time" "$LOG" | tail -n 2
[ $rc -eq 0 ] && [ $pii -eq 0 ] && [ $fuzz -eq 0 ]
