#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang 14, AddressSanitizer and UndefinedBehaviorSanitizer;
# only the sources they need) into build/fuzz, then runs each for a bounded time from a copy of its
# seed corpus, with its dictionary (RELIABILITY.md, fault suite item 10). Fails when a target
# crashes, leaks, hits undefined behaviour, breaks a rule of fuzz/fuzz_checks.h, runs out of memory
# or takes over 5 s on one input, and prints that input's path.
# Usage: scripts/fuzz.sh [seconds per target, default 20] [target...]
#   e.g. scripts/fuzz.sh 300 petition; reproduce a failure: build/fuzz/<target> <input>
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-20}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=(hotline12345 petition provincial); fi
BUILD=build/fuzz
CXX=${FUZZ_CXX:-clang++-14}

start=$(date +%s)
mkdir -p "$BUILD"
if ! { cmake -S fuzz -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CXX" &&
  ninja -C "$BUILD" -j2; } >"$BUILD/build.log" 2>&1; then
  tail -n 40 "$BUILD/build.log"
  echo "fuzz: the build failed; the whole output is in $BUILD/build.log" >&2
  exit 1
fi
echo "fuzz: built in $(($(date +%s) - start)) s"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for t in "${TARGETS[@]}"; do
  work="$BUILD/work/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp fuzz/corpus/"$t"/* "$work/corpus/"  # New inputs go to the copy, never to the repository.
  log="$work/fuzz.log"
  set +e
  "$BUILD/${t}_fuzz" -max_total_time="$SECONDS_EACH" -timeout=5 -rss_limit_mb=1024 \
    -max_len=65536 -dict="fuzz/$t.dict" -artifact_prefix="$work/artifacts/" \
    -print_final_stats=1 "$work/corpus" >"$log" 2>&1
  rc=$?
  set -e
  stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 |
    sed -E 's/^#([0-9]+).* cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).* exec\/s: ([0-9]+).*/\1 runs, \5 exec\/s, cov: \2 ft: \3, corpus \4/' || true)
  inputs=$(find "$work/artifacts" -type f | sort)
  if [ $rc -ne 0 ] || [ -n "$inputs" ]; then
    failed=1
    grep -E "ERROR|SUMMARY|rule broken|runtime error|Assertion|deadly signal|timeout|out-of-memory" \
      "$log" | head -n 10 || true
    echo "fuzz: $t FAILED (exit $rc) after ${stats:-no runs}; the whole output is in $log"
    for f in $inputs; do echo "fuzz: $t: input: $f (reproduce: $BUILD/${t}_fuzz $f)"; done
  else
    echo "fuzz: $t: ${SECONDS_EACH} s, $stats, no failure"
  fi
done
echo "fuzz: done in $(($(date +%s) - start)) s"
exit $failed
