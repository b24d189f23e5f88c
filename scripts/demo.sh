#!/usr/bin/env bash
# The main job: builds hotline-sync, starts the simulated 12345, petition and provincial platforms on
# loopback and the daemon against them for about 30 seconds (showing /readyz and some /metrics while
# it runs), then prints `status` (sync, outbox, deadlines), the sync log, one provincial dispatch's
# matter across the three platforms, and the month's assessment summary.
# Usage: scripts/demo.sh [seconds]    Leaves its ledger and configuration in demo/ for you to explore.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-30}"
scripts/setup.sh

BUILD=build/release
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHS_TESTS=OFF >/dev/null
ninja -C "$BUILD" -j"$(nproc)" hotline-sync
BIN="$PWD/$BUILD/hotline-sync"

DEMO="$PWD/demo"
rm -rf "$DEMO"
mkdir -p "$DEMO"
for name in hotline12345 petition provincial; do
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DEMO/$name.secret"
  chmod 600 "$DEMO/$name.secret"
done

# The simulated city: 4,000 hotline orders, 1,000 petitions and 500 provincial dispatches around
# June 2023, an hour of simulated time per second.
"$BIN" sim --count 4000 --speed 3600 --app-secret-file "$DEMO/hotline12345.secret" \
  --petition-secret-file "$DEMO/petition.secret" \
  --provincial-secret-file "$DEMO/provincial.secret" \
  > "$DEMO/sim.out" 2> "$DEMO/sim.err" &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ "$(grep -c "listening on" "$DEMO/sim.out" 2>/dev/null)" = 3 ] && break
  sleep 0.1
done
url() { grep "^$1 simulator" "$DEMO/sim.out" | grep -o 'http://[^ ]*'; }
BASE_URL=$(url hotline12345 || true)
[ -n "$BASE_URL" ] || { echo "demo: the simulators did not start:" >&2; cat "$DEMO/sim.err" >&2; exit 1; }

cat > "$DEMO/hotline-sync.toml" <<TOML
[ledger]
path = "ledger.db"

[log]
level = "info"

[service]
listen = "127.0.0.1:0"   # any free port; the daemon logs the address

[adapters.hotline12345]
base_url = "$BASE_URL"
app_key = "yy-sync"
app_secret_file = "hotline12345.secret"
interval = "2s"
page_size = 500

[adapters.petition]
base_url = "$(url petition)"
client_id = "yy-sync"
client_secret_file = "petition.secret"
interval = "2s"

[adapters.provincial]
base_url = "$(url provincial)"
city_code = "430600"
secret_file = "provincial.secret"
interval = "2s"
push_requests_per_second = 3
TOML

echo "== hotline-sync run for ${SECONDS_TO_RUN}s against the simulated hotline, petition and provincial platforms"
echo "   (the simulated city lives in June 2023: against today's clock every open item is overdue)"
set +e
timeout -s TERM -k 10 "$SECONDS_TO_RUN" "$BIN" run --config "$DEMO/hotline-sync.toml" 2> "$DEMO/daemon.log" &
DAEMON_PID=$!
# While it runs: what /readyz and Prometheus see (the web page is at the same address).
sleep $((SECONDS_TO_RUN > 8 ? SECONDS_TO_RUN - 5 : 3))
WEB=$(grep -o 'web page and metrics on http://[^ ]*' "$DEMO/daemon.log" | grep -o 'http://.*' | head -n 1)
if [ -n "$WEB" ]; then
  echo "== $WEB (the web page; /readyz and a few lines of /metrics while the daemon runs)"
  curl -s "${WEB}readyz"
  curl -s "${WEB}metrics" | grep -E '^hs_(records_total|pushes_total|adapter_last_good_pull_age_seconds|match_review_pending|outbox_items)' | head -n 16
fi
wait $DAEMON_PID
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
# A provincial dispatch whose hotline order was read back: one matter across the platforms.
REF=$(sqlite3 "$DEMO/ledger.db" "select d.external_id from links l join tickets d on d.id = l.ticket_id
  join tickets h on h.source = l.target and h.external_id = l.remote_id
  where d.source = 'provincial' order by h.history_count desc limit 1")
if [ -n "$REF" ]; then
  echo
  echo "== hotline-sync ticket $REF   (a provincial dispatch and the hotline order made from it)"
  "$BIN" ticket "$REF" --config "$DEMO/hotline-sync.toml"
fi
echo
echo "== hotline-sync score --month 2023-06 --summary   (the month so far, from the ledger)"
"$BIN" score --month 2023-06 --summary --config "$DEMO/hotline-sync.toml"
echo
echo "== hotline-sync outbox list -n 5"
"$BIN" outbox list -n 5 --config "$DEMO/hotline-sync.toml"
echo "More: $BIN --help; the ledger and configuration stay in demo/."
