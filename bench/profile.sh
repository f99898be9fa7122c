#!/usr/bin/env bash
# Profiles the refresh path (or GET /me) under the same load as `just bench`, with perf.
#
#   bench/profile.sh            # refresh on PostgreSQL, 64 chains
#   PROFILE_ROUTE=me bench/profile.sh
#
# Needs `perf` (Debian: linux-perf) with software events: hardware counters are not
# available in this kind of VM, so it samples cpu-clock. Writes under $TARGET/profile/<time>/:
#   split.txt    CPU share per process (baton, postgres, wrk, kernel...), system-wide;
#   baton.txt    baton's hottest functions, self time;
#   children.txt baton's call graph (DWARF unwinding), inclusive time of each function;
#   statements.txt the SQL statements one request sends (PostgreSQL statement log).
# Knobs: PROFILE_SECONDS (10), BENCH_CLIENTS (64), BENCH_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE_SECONDS=${PROFILE_SECONDS:-10}
PROFILE_ROUTE=${PROFILE_ROUTE:-refresh}
BENCH_CLIENTS=${BENCH_CLIENTS:-64}
export PROFILE_SECONDS PROFILE_ROUTE BENCH_CLIENTS
TARGET=${CARGO_TARGET_DIR:-target}
BIN="$TARGET/release"

if [[ "${1:-}" != "--inner" ]]; then
    command -v perf >/dev/null 2>&1 || { echo "profile: perf is required (apt-get install linux-perf)" >&2; exit 1; }
    command -v wrk >/dev/null 2>&1 || { echo "profile: wrk is required (just bench installs it)" >&2; exit 1; }
    if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
        cargo build --release --quiet --bin baton --bin baton-bench
    fi
    exec scripts/with-postgres.sh "$0" --inner
fi

OUT="$TARGET/profile/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
db=baton_profile
psql -q "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
pg_url="${TEST_DATABASE_URL%/*}/$db"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')

out=$(env -u RUST_LOG -u DATABASE_URL BATON_PROFILE=prod BATON_JWT__SECRET="$secret" \
    BATON_DATABASE__URL="$pg_url" BATON_SERVER__HOST=127.0.0.1 BATON_SERVER__PORT="$port" \
    BATON_LOG__LEVEL=warn "$BIN/baton-bench" start --addr "127.0.0.1:$port" \
    --log "$OUT/baton.log" -- "$BIN/baton" serve)
pid=$(sed -n 's/^pid=//p' <<<"$out")
trap 'kill -TERM $pid 2>/dev/null || true' EXIT

mkdir -p "$OUT/reg"
seq 0 $((BENCH_CLIENTS - 1)) | xargs -P 8 -I{} curl -sS -o "$OUT/reg/{}.json" \
    -H 'Content-Type: application/json' \
    -d '{"email":"bench-{}@example.com","password":"bench-password-{}"}' "$base/api/v1/auth/register"
for ((k = 0; k < BENCH_CLIENTS; k++)); do
    jq -er .refresh_token "$OUT/reg/$k.json" >>"$OUT/refresh.txt"
    jq -er .access_token "$OUT/reg/$k.json" >>"$OUT/access.txt"
done

# The statements of one request, from PostgreSQL's own log.
refresh_one() {
    curl -sS -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"refresh_token\":\"$(sed -n 1p "$OUT/refresh.txt")\"}" "$base/api/v1/auth/refresh"
}
me_one() { curl -sS -o /dev/null -H "Authorization: Bearer $(sed -n 2p "$OUT/access.txt")" "$base/api/v1/auth/me"; }
psql -q "$TEST_DATABASE_URL" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.2
datadir=$(psql -Atq "$TEST_DATABASE_URL" -c "SHOW data_directory")
logfile="$(dirname "$datadir")/server.log"
before=$(wc -l <"$logfile")
if [[ "$PROFILE_ROUTE" == me ]]; then me_one; else refresh_one; fi
sleep 0.2
psql -q "$TEST_DATABASE_URL" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
tail -n +"$((before + 1))" "$logfile" | grep -E 'LOG:  (statement|execute)' | grep -v 'pg_reload_conf\|ALTER SYSTEM' \
    | sed -E 's/^.*LOG:  //' >"$OUT/statements.txt" || true
# The first request's chain is now one step on; drop that session from the load.
sed -i 1d "$OUT/refresh.txt"
sed -i 1d "$OUT/access.txt"
clients=$((BENCH_CLIENTS - 1))

if [[ "$PROFILE_ROUTE" == me ]]; then
    load=(wrk -t 2 -c "$clients" -d "${PROFILE_SECONDS}s" -s bench/wrk/me.lua "$base/api/v1/auth/me")
    tokens="$OUT/access.txt"
else
    load=(wrk -t "$clients" -c "$clients" -d "${PROFILE_SECONDS}s" --timeout 30s -s bench/wrk/refresh.lua "$base/api/v1/auth/refresh")
    tokens="$OUT/refresh.txt"
fi

# 1. System-wide: who uses the two cores.
BENCH_TOKENS="$tokens" perf record -q -e cpu-clock -F 499 -a -g -o "$OUT/all.data" -- "${load[@]}" >"$OUT/wrk-all.txt" 2>&1
perf report -q -i "$OUT/all.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep '%' >"$OUT/split.txt" || true
perf report -q -i "$OUT/all.data" --no-children --comm postgres --sort sym --stdio -g none 2>/dev/null \
    | grep '%' | head -40 >"$OUT/postgres.txt" || true

# 2. baton alone, DWARF call graphs for inclusive times. Fresh chains are not needed: the
#    previous wrk run left every chain's last token in flight, so register new sessions.
: >"$OUT/refresh2.txt"
: >"$OUT/access2.txt"
for ((k = 0; k < clients; k++)); do
    r=$(curl -sS -H 'Content-Type: application/json' \
        -d "{\"email\":\"bench-$k@example.com\",\"password\":\"bench-password-$k\"}" "$base/api/v1/auth/login")
    jq -er .refresh_token <<<"$r" >>"$OUT/refresh2.txt"
    jq -er .access_token <<<"$r" >>"$OUT/access2.txt"
done
[[ "$PROFILE_ROUTE" == me ]] && tokens="$OUT/access2.txt" || tokens="$OUT/refresh2.txt"
BENCH_TOKENS="$tokens" "${load[@]}" >"$OUT/wrk-baton.txt" 2>&1 &
wrk_pid=$!
sleep 1
perf record -q -e cpu-clock -F 499 --call-graph dwarf,16384 -p "$pid" -o "$OUT/baton.data" -- sleep $((PROFILE_SECONDS - 3)) 2>/dev/null
wait "$wrk_pid"
perf report -q -i "$OUT/baton.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep '%' | head -60 >"$OUT/baton.txt" || true
perf report -q -i "$OUT/baton.data" --children --sort sym --stdio -g none 2>/dev/null | grep '%' | head -150 >"$OUT/children.txt" || true

echo "== statements per $PROFILE_ROUTE request"
cat "$OUT/statements.txt"
echo "== CPU by process (system-wide, during load)"
head -12 "$OUT/split.txt"
echo "== wrk"
grep '^bench ' "$OUT/wrk-all.txt" "$OUT/wrk-baton.txt" || true
echo "== baton, self time"
head -30 "$OUT/baton.txt"
echo "profile data and reports: $OUT"
