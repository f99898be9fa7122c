#!/usr/bin/env bash
# Profiles refresh (or GET /me) under the load of `just bench`, with perf, and draws a
# flamegraph of baton.
#
#   bench/profile.sh                           # refresh on PostgreSQL, 64 chains
#   PROFILE_ROUTE=me bench/profile.sh
#   PROFILE_BACKEND=sqlite bench/profile.sh
#   PROFILE_BATON=/path/to/other/baton bench/profile.sh   # e.g. the previous release
#
# Needs `perf` (Debian: linux-perf). Hardware counters are not available in this kind of VM,
# so perf samples the cpu-clock software event. The flamegraph needs inferno
# (`cargo install inferno --locked`); without it the text reports are still written.
# Writes under $TARGET/profile/<time>-<route>-<backend>/:
#   split.txt       CPU share per process (baton, postgres, wrk, others), system-wide;
#   postgres.txt    PostgreSQL's hottest functions, system-wide;
#   components.txt  baton's CPU by component (HTTP, JWT, diesel, libpq, kernel, ...);
#   baton.txt       baton's hottest functions, self time;
#   children.txt    baton's call graph (DWARF unwinding), inclusive time of each function;
#   flame.svg       flamegraph of baton (DWARF call graphs);
#   statements.txt  the SQL statements one request sends (PostgreSQL statement log).
# Knobs: PROFILE_SECONDS (10), PROFILE_ROUTE, PROFILE_BACKEND, PROFILE_BATON,
# BENCH_CLIENTS (64), BENCH_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE_SECONDS=${PROFILE_SECONDS:-10}
PROFILE_ROUTE=${PROFILE_ROUTE:-refresh}
PROFILE_BACKEND=${PROFILE_BACKEND:-pg}
BENCH_CLIENTS=${BENCH_CLIENTS:-64}
export PROFILE_SECONDS PROFILE_ROUTE PROFILE_BACKEND BENCH_CLIENTS
TARGET=${CARGO_TARGET_DIR:-target}
BIN="$TARGET/release"
BATON=$(realpath "${PROFILE_BATON:-$BIN/baton}")
export BATON
# The configuration files of the binary's own tree (a previous release rejects newer keys).
CONFIG_DIR=${BENCH_CONFIG_DIR:-$(cd "$(dirname "$BATON")/../.." 2>/dev/null && pwd)/config}
[[ -d "$CONFIG_DIR" ]] || CONFIG_DIR="$PWD/config"

source bench/lib.sh
if [[ "${1:-}" != "--inner" ]]; then
    command -v perf >/dev/null 2>&1 || { echo "profile: perf is required (apt-get install linux-perf)" >&2; exit 1; }
    command -v wrk >/dev/null 2>&1 || { echo "profile: wrk is required (just bench installs it)" >&2; exit 1; }
    if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
        cargo build --release --quiet --bin baton --bin baton-bench
    fi
    exec scripts/with-postgres.sh "$0" --inner
fi

OUT="$TARGET/profile/$(date -u +%Y%m%d-%H%M%S)-$PROFILE_ROUTE-$PROFILE_BACKEND"
mkdir -p "$OUT"
profile_target baton_profile "$PROFILE_BACKEND"

out=$(env -u RUST_LOG -u DATABASE_URL BATON_PROFILE=prod BATON_CONFIG_DIR="$CONFIG_DIR" BATON_JWT__SECRET="$secret" BATON_JWT__ISSUER=https://baton.bench BATON_SECURITY__ALLOW_WEAK_SETTINGS="[passwords.bcrypt_cost]" \
    BATON_DATABASE__URL="$url" BATON_SERVER__HOST=127.0.0.1 BATON_SERVER__PORT="$port" \
    BATON_LOG__LEVEL=warn ${extra[@]+"${extra[@]}"} "$BIN/baton-bench" start --addr "127.0.0.1:$port" \
    --log "$OUT/baton.log" -- "$BATON" serve)
pid=$(sed -n 's/^pid=//p' <<<"$out")
trap 'kill -TERM $pid 2>/dev/null || true' EXIT

# Sessions: `register` for the first load, `login` for the second (the first one's chains
# end with requests in flight, so they are not reused).
sessions() { # ROUTE DIR
    mkdir -p "$2"
    seq 0 $((BENCH_CLIENTS - 1)) | xargs -P 8 -I{} curl -sS -o "$2/{}.json" \
        -H 'Content-Type: application/json' \
        -d '{"email":"bench-{}@example.com","password":"bench-password-{}"}' "$base/api/v1/auth/$1"
    : >"$2/refresh.txt"
    : >"$2/access.txt"
    for ((k = 0; k < BENCH_CLIENTS; k++)); do
        jq -er .refresh_token "$2/$k.json" >>"$2/refresh.txt"
        jq -er .access_token "$2/$k.json" >>"$2/access.txt"
    done
}
sessions register "$OUT/s1"

# The statements of one request, from PostgreSQL's own log (a session of its own).
if [[ "$PROFILE_BACKEND" == pg ]]; then
    r=$(curl -sS -H 'Content-Type: application/json' \
        -d '{"email":"bench-statements@example.com","password":"bench-password-statements"}' \
        "$base/api/v1/auth/register")
    psql -q "$TEST_DATABASE_URL" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.3
    datadir=$(psql -Atq "$TEST_DATABASE_URL" -c "SHOW data_directory")
    logfile="$(dirname "$datadir")/server.log"
    before=$(wc -l <"$logfile")
    if [[ "$PROFILE_ROUTE" == me ]]; then
        curl -sS -o /dev/null -H "Authorization: Bearer $(jq -r .access_token <<<"$r")" "$base/api/v1/auth/me"
    else
        curl -sS -o /dev/null -H 'Content-Type: application/json' \
            -d "{\"refresh_token\":\"$(jq -r .refresh_token <<<"$r")\"}" "$base/api/v1/auth/refresh"
    fi
    sleep 0.2
    psql -q "$TEST_DATABASE_URL" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
    tail -n +"$((before + 1))" "$logfile" | grep -v 'pg_reload_conf\|ALTER SYSTEM' >"$OUT/statements.txt" || true
fi

if [[ "$PROFILE_ROUTE" == me ]]; then
    script=bench/wrk/me.lua path=/api/v1/auth/me file=access.txt
else
    script=bench/wrk/refresh.lua path=/api/v1/auth/refresh file=refresh.txt
fi
load() { # TOKENS OUTPUT: the load of `just bench` (2 wrk threads, one chain per connection)
    BENCH_TOKENS="$1" BENCH_THREADS=2 BENCH_CONNECTIONS="$BENCH_CLIENTS" \
        wrk -t 2 -c "$BENCH_CLIENTS" -d "${PROFILE_SECONDS}s" --timeout 30s -s "$script" "$base$path" >"$2" 2>&1
}

# 1. System-wide: who uses the two cores.
load "$OUT/s1/$file" "$OUT/wrk-all.txt" &
wrk_pid=$!
sleep 1
perf record -q -e cpu-clock -F 499 -a -g -o "$OUT/all.data" -- sleep $((PROFILE_SECONDS - 3)) 2>/dev/null
wait "$wrk_pid"
perf report -q -i "$OUT/all.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep '%' >"$OUT/split.txt" || true
perf report -q -i "$OUT/all.data" --no-children --comm postgres --sort dso,sym --stdio -g none 2>/dev/null \
    | grep '%' | head -40 >"$OUT/postgres.txt" || true

# 2. baton alone, DWARF call graphs for inclusive times and the flamegraph.
sessions login "$OUT/s2"
load "$OUT/s2/$file" "$OUT/wrk-baton.txt" &
wrk_pid=$!
sleep 1
perf record -q -e cpu-clock -F 499 --call-graph dwarf,16384 -p "$pid" -o "$OUT/baton.data" -- sleep $((PROFILE_SECONDS - 3)) 2>/dev/null
wait "$wrk_pid"
perf report -q -i "$OUT/baton.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep '%' | head -60 >"$OUT/baton.txt" || true
perf report -q -i "$OUT/baton.data" --children --sort sym --stdio -g none 2>/dev/null | grep '%' | head -150 >"$OUT/children.txt" || true
perf report -q -i "$OUT/baton.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null \
    | (cd bench && python3 perf_split.py) >"$OUT/components.txt" || true
if command -v inferno-collapse-perf >/dev/null 2>&1; then
    perf script -i "$OUT/baton.data" 2>/dev/null | inferno-collapse-perf >"$OUT/folded.txt"
    inferno-flamegraph --title "baton, $PROFILE_ROUTE on $PROFILE_BACKEND ($(basename "$BATON"))" \
        <"$OUT/folded.txt" >"$OUT/flame.svg"
fi

if [[ -s "$OUT/statements.txt" ]]; then
    echo "== statements per $PROFILE_ROUTE request"
    grep -E 'LOG:  (statement|execute)' "$OUT/statements.txt" | sed -E 's/^.*LOG:  //' | cut -c1-150
fi
echo "== CPU by process (system-wide, during load)"
head -12 "$OUT/split.txt"
echo "== wrk"
grep -h '^bench ' "$OUT/wrk-all.txt" "$OUT/wrk-baton.txt" || true
echo "== baton by component"
sed -n '1,20p' "$OUT/components.txt"
echo "binary: $BATON; profile data and reports: $OUT"
