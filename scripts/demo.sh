#!/usr/bin/env bash
# The main job: builds hotline-sync, starts the simulated 12345 platform on loopback and the daemon
# against it for about 20 seconds, then prints `status` and the last lines of the sync log.
# Usage: scripts/demo.sh [seconds]    Leaves its ledger and configuration in demo/ for you to explore.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-20}"
scripts/setup.sh

BUILD=build/release
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHS_TESTS=OFF >/dev/null
ninja -C "$BUILD" -j"$(nproc)" hotline-sync
BIN="$PWD/$BUILD/hotline-sync"

DEMO="$PWD/demo"
rm -rf "$DEMO"
mkdir -p "$DEMO"
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DEMO/hotline12345.secret"
chmod 600 "$DEMO/hotline12345.secret"

# The simulator: 4,000 orders over June 2023, an hour of simulated time per second.
"$BIN" sim --port 0 --count 4000 --speed 3600 --app-secret-file "$DEMO/hotline12345.secret" \
  > "$DEMO/sim.out" 2> "$DEMO/sim.err" &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$DEMO/sim.out" 2>/dev/null && break
  sleep 0.1
done
BASE_URL=$(grep -o 'http://[^ ]*' "$DEMO/sim.out" | head -n 1)
[ -n "$BASE_URL" ] || { echo "demo: the simulator did not start:" >&2; cat "$DEMO/sim.err" >&2; exit 1; }

cat > "$DEMO/hotline-sync.toml" <<TOML
[ledger]
path = "ledger.db"

[log]
level = "info"

[adapters.hotline12345]
base_url = "$BASE_URL"
app_key = "yy-sync"
app_secret_file = "hotline12345.secret"
interval = "2s"
page_size = 500
TOML

echo "== hotline-sync run for ${SECONDS_TO_RUN}s against the simulated 12345 platform at $BASE_URL"
set +e
timeout -s TERM -k 10 "$SECONDS_TO_RUN" "$BIN" run --config "$DEMO/hotline-sync.toml" 2> "$DEMO/daemon.log"
rc=$?
set -e
if [ $rc -ne 0 ] && [ $rc -ne 124 ]; then
  echo "demo: the daemon exited with $rc:" >&2
  tail -n 20 "$DEMO/daemon.log" >&2
  exit 1
fi
echo
echo "== hotline-sync status"
"$BIN" status --config "$DEMO/hotline-sync.toml"
echo
echo "== hotline-sync log -n 8"
"$BIN" log --config "$DEMO/hotline-sync.toml" -n 8
echo
echo "== the daemon's last log lines"
tail -n 6 "$DEMO/daemon.log"
# One order with the longest history, as an operator would look it up.
GDBH=$(sqlite3 "$DEMO/ledger.db" "select external_id from tickets order by history_count desc, id limit 1")
if [ -n "$GDBH" ]; then
  echo
  echo "== hotline-sync ticket $GDBH"
  "$BIN" ticket "$GDBH" --config "$DEMO/hotline-sync.toml"
fi
echo "More: $BIN --help; the ledger and configuration stay in demo/."
