#!/usr/bin/env bash
# Ingest throughput: the simulated 12345 platform on loopback → the ledger, every order with its
# transfer-log events, in orders per second. Measured in the same run as a baseline: a shell loop of
# curl + jq + sqlite3 doing the same signed, paged pull with one transaction per page.
#
# The simulator runs on core 0, the daemon and the baseline on core 1.
# Usage: bench/ingest.sh [orders]       (default 20000). Prints a table and one line
#   ingest daemon_ops=… baseline_ops=… ratio=… daemon_peak_rss_mb=…
# Both pull from the same simulator (rate limit off, time frozen, so both see the same records).
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS="${1:-20000}"
CORES=$(nproc)
scripts/setup.sh
for p in time bc; do dpkg-query -W -f="\${Status}" "$p" 2>/dev/null | grep -q "install ok installed" || apt-get install -y -qq "$p" >/dev/null; done

BUILD=build/release
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHS_TESTS=OFF >/dev/null
ninja -C "$BUILD" -j"$(nproc)" hotline-sync >/dev/null
BIN="$PWD/$BUILD/hotline-sync"

WORK=$(mktemp -d)
SIM_PID=""
trap '[ -n "$SIM_PID" ] && kill $SIM_PID 2>/dev/null; rm -rf "$WORK"' EXIT
SECRET="bench-secret"
echo "$SECRET" > "$WORK/secret"

# The simulator on core 0; the daemon and the baseline on core 1 ("on one core").
taskset -c 0 "$BIN" sim --port 0 --count "$ORDERS" --days-before 30 --days-after 0 --speed 0 --rps 0 \
  --app-secret-file "$WORK/secret" > "$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 300); do grep -q "listening on" "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(grep -o 'http://[^ ]*' "$WORK/sim.out" | head -n 1)
[ -n "$BASE" ] || { cat "$WORK/sim.err" >&2; exit 1; }
PATH_PREFIX="/${BASE#http://*/}"

# --- hotline-sync ---
cat > "$WORK/config.toml" <<TOML
[ledger]
path = "$WORK/daemon.db"
[log]
level = "warn"
[adapters.hotline12345]
base_url = "$BASE"
app_key = "yy-sync"
app_secret_file = "$WORK/secret"
page_size = 500
requests_per_second = 0
TOML
# Three runs into a fresh ledger each; the median counts. Process start, migrations and the final
# checkpoint are included; the sync log's own run time is shown beside.
for i in 1 2 3; do
  rm -f "$WORK"/daemon.db*
  /usr/bin/time -f "%e %M" -o "$WORK/daemon.time.$i" taskset -c 1 "$BIN" run --once --config "$WORK/config.toml"
  echo "$(cat "$WORK/daemon.time.$i") $(sqlite3 "$WORK/daemon.db" "select (finished_ms - started_ms) / 1000.0 from sync_runs order by id desc limit 1")" >> "$WORK/daemon.times"
done
read -r D_SECONDS D_RSS_KB D_RUN_SECONDS < <(sort -n "$WORK/daemon.times" | sed -n 2p)
D_TICKETS=$(sqlite3 "$WORK/daemon.db" "select count(*) from tickets")
D_EVENTS=$(sqlite3 "$WORK/daemon.db" "select count(*) from events where kind = 'log'")

# --- baseline: curl + jq + sqlite3, one transaction per page ---
sqlite3 "$WORK/baseline.db" <<'SQL'
PRAGMA journal_mode = WAL;
CREATE TABLE tickets (gdbh TEXT PRIMARY KEY, gxsj TEXT, gdzt TEXT, cbdw TEXT, raw TEXT);
CREATE TABLE events (gdbh TEXT, seq INTEGER, sj TEXT, dz TEXT, dw TEXT, sm TEXT, PRIMARY KEY (gdbh, seq));
SQL
cat > "$WORK/page.jq" <<'JQ'
def q: if . == null then "NULL" else "'" + (tostring | gsub("'"; "''")) + "'" end;
"BEGIN;",
(.data.list[] | . as $r |
  "INSERT INTO tickets VALUES (\($r.gdbh|q), \($r.gxsj|q), \($r.gdzt|q), \($r.cbdw|q), \($r|tojson|q)) ON CONFLICT (gdbh) DO UPDATE SET gxsj = excluded.gxsj, gdzt = excluded.gdzt, cbdw = excluded.cbdw, raw = excluded.raw;",
  (($r.lzjl // []) | to_entries[] | "INSERT OR IGNORE INTO events VALUES (\($r.gdbh|q), \(.key), \(.value.sj|q), \(.value.dz|q), \(.value.dw|q), \(.value.sm|q));")),
"COMMIT;"
JQ
EMPTY_SHA=$(printf '' | openssl dgst -sha256 | awk '{print $NF}')
baseline() {
  local cursor="" query has_more ts nonce sign
  while :; do
    if [ -n "$cursor" ]; then query="cursor=$(jq -rn --arg c "$cursor" '$c|@uri')&limit=500"; else query="limit=500"; fi
    ts=$(date +%s)
    nonce=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
    sign=$(printf 'GET\n%s\n%s\n%s\n%s\n%s' "$PATH_PREFIX/gongdan" "$query" "$ts" "$nonce" "$EMPTY_SHA" \
           | openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')
    curl -sf -H "X-App-Key: yy-sync" -H "X-Timestamp: $ts" -H "X-Nonce: $nonce" -H "X-Sign: $sign" \
      "$BASE/gongdan?$query" > "$WORK/page.json"
    [ "$(jq -r .code "$WORK/page.json")" = "0" ] || { echo "baseline: $(jq -c '{code,msg}' "$WORK/page.json")" >&2; return 1; }
    jq -r -f "$WORK/page.jq" "$WORK/page.json" | sqlite3 "$WORK/baseline.db"
    has_more=$(jq -r .data.has_more "$WORK/page.json")
    cursor=$(jq -r .data.next_cursor "$WORK/page.json")
    [ "$has_more" = "true" ] || break
  done
}
B_START=$(date +%s.%N)
taskset -p -c 1 $$ >/dev/null  # The loop and every process it starts.
baseline
B_SECONDS=$(echo "$(date +%s.%N) - $B_START" | bc -l)
B_TICKETS=$(sqlite3 "$WORK/baseline.db" "select count(*) from tickets")
B_EVENTS=$(sqlite3 "$WORK/baseline.db" "select count(*) from events")

D_OPS=$(echo "$D_TICKETS / $D_SECONDS" | bc -l)
B_OPS=$(echo "$B_TICKETS / $B_SECONDS" | bc -l)
printf '%-22s %8s %9s %9s %10s\n' "" orders events seconds "orders/s"
printf '%-22s %8d %9d %9.2f %10.0f   (runs: %s s; sync log run time %.2f s)\n' "hotline-sync run --once" \
  "$D_TICKETS" "$D_EVENTS" "$D_SECONDS" "$D_OPS" "$(cut -d' ' -f1 "$WORK/daemon.times" | tr '\n' ' ')" "$D_RUN_SECONDS"
printf '%-22s %8d %9d %9.2f %10.0f\n' "curl+jq+sqlite3 loop" "$B_TICKETS" "$B_EVENTS" "$B_SECONDS" "$B_OPS"
printf 'ingest daemon_ops=%.0f baseline_ops=%.0f ratio=%.1f daemon_peak_rss_mb=%.1f machine_cores=%s\n' \
  "$D_OPS" "$B_OPS" "$(echo "$D_OPS / $B_OPS" | bc -l)" "$(echo "$D_RSS_KB / 1024" | bc -l)" "$CORES"
[ "$D_TICKETS" = "$ORDERS" ] && [ "$B_TICKETS" = "$ORDERS" ] || { echo "bench: an ingest was incomplete" >&2; exit 1; }
