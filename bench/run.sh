#!/usr/bin/env bash
# `just bench`: Baton against the limits measured in the same run, on this machine.
#
#   bench/run.sh                      # 3 runs of 10 s per measurement, about 7 minutes
#   BENCH_SECONDS=5 BENCH_RUNS=1 bench/run.sh   # a quick look, about 1.5 minutes
#   (plus the release build the first time: 5 to 10 minutes on two cores)
#
# Builds release `baton` and `baton-bench`, starts a throwaway PostgreSQL
# (scripts/with-postgres.sh), and for each run, on a fresh database each time, measures each
# figure right after its limit so both see the same machine:
#   PostgreSQL: start baton (time to /readyz 200, migrations included), idle RSS, register
#     the bench users; pgbench running the rotation's own SQL, then refresh (one chain per
#     client); a bare actix-web /me handler, then GET /me (and pgbench running the session
#     look-up alone); login, then raw bcrypt verifications on one thread per core; peak RSS.
#   SQLite: start baton on a fresh file, idle RSS, register, refresh, peak RSS.
# Prints one table of medians over the runs (docs/BENCHMARKS.md explains each figure) and
# keeps the raw figures, logs and wrk/pgbench outputs under $TARGET/bench/<time>/.
#
# Knobs (environment): BENCH_SECONDS (10) per measurement, BENCH_RUNS (3),
# BENCH_CLIENTS (64) for refresh and /me, BENCH_LOGIN_CLIENTS (8),
# BENCH_BCRYPT_COST (12, Baton's default), BENCH_SKIP_BUILD=1 to use the binaries as built.
# All load goes to 127.0.0.1 and every load step is bounded by BENCH_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_CLIENTS=${BENCH_CLIENTS:-64}
BENCH_LOGIN_CLIENTS=${BENCH_LOGIN_CLIENTS:-8}
BENCH_BCRYPT_COST=${BENCH_BCRYPT_COST:-12}
export BENCH_SECONDS BENCH_RUNS BENCH_CLIENTS BENCH_LOGIN_CLIENTS BENCH_BCRYPT_COST
TARGET=${CARGO_TARGET_DIR:-target}
BIN="$TARGET/release"

if [[ "${1:-}" != "--inner" ]]; then
    for n in BENCH_SECONDS BENCH_RUNS BENCH_CLIENTS BENCH_LOGIN_CLIENTS BENCH_BCRYPT_COST; do
        [[ "${!n}" =~ ^[1-9][0-9]*$ ]] || { echo "bench: $n must be a positive integer" >&2; exit 2; }
    done
    # The load generator and helpers come from Debian's packages when missing.
    declare -A package=([wrk]=wrk [jq]=jq [curl]=curl [pgbench]=postgresql-client [psql]=postgresql-client [python3]=python3)
    missing=()
    for tool in wrk pgbench psql curl jq python3; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("${package[$tool]}")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "bench: installing ${missing[*]} (Debian packages)" >&2
        sudo=()
        [[ $(id -u) -eq 0 ]] || sudo=(sudo)
        ${sudo[@]+"${sudo[@]}"} apt-get update -qq
        ${sudo[@]+"${sudo[@]}"} apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    for tool in wrk pgbench psql curl jq python3; do
        command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
    done
    if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
        echo "bench: building release baton and baton-bench" >&2
        cargo build --release --quiet --bin baton --bin baton-bench
    fi
    exec scripts/with-postgres.sh "$0" --inner
fi

# ---------------------------------------------------------------------------------------
# Inside: TEST_DATABASE_URL points at the throwaway PostgreSQL server.

PG_ADMIN_URL="$TEST_DATABASE_URL"
OUT="$TARGET/bench/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
: >"$RESULTS"
USERS=$BENCH_CLIENTS
RUNNING_PID=""

log() { echo "bench: $*" >&2; }
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; } # run key value

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop_pid() { # pid: SIGTERM, wait up to 40 s, then SIGKILL
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 400; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() { if [[ -n "$RUNNING_PID" ]]; then stop_pid "$RUNNING_PID"; fi; }
trap cleanup EXIT

kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; } # pid VmRSS|VmHWM

contention() { # rustc processes: a build competing for the two cores
    { pgrep -c -x rustc || true; } | head -1
}

busy_pct() { # CPU busy over one second while the bench itself is idle: someone else's load
    local a b
    read -r -a a < <(head -1 /proc/stat)
    sleep 1
    read -r -a b < <(head -1 /proc/stat)
    local idle=$(((b[4] + b[5]) - (a[4] + a[5]))) total=0 i
    for ((i = 1; i < ${#a[@]}; i++)); do total=$((total + b[i] - a[i])); done
    echo $((total > 0 ? 100 * (total - idle) / total : 0))
}

# start_server NAME URL-PATH PORT CMD...: starts a server with the environment in START_ENV,
# waits for URL-PATH to answer 200; sets PID and READY_MS (from spawn to that first 200).
START_ENV=()
start_server() {
    local name=$1 path=$2 port=$3
    shift 3
    local out
    out=$(env ${START_ENV[@]+"${START_ENV[@]}"} "$BIN/baton-bench" start --addr "127.0.0.1:$port" \
        --path "$path" --log "$OUT/$name.log" -- "$@") || { cat "$OUT/$name.log" >&2; exit 1; }
    PID=$(sed -n 's/^pid=//p' <<<"$out")
    READY_MS=$(sed -n 's/^ready_ms=//p' <<<"$out")
    RUNNING_PID=$PID
}

# register BASE DIR: registers the bench users (8 at a time), writes DIR/refresh.txt and
# DIR/access.txt (line k = user k); records registrations per second.
register_users() {
    local base=$1 dir=$2 run=$3 tag=$4 t0 t1 k
    mkdir -p "$dir/reg"
    t0=$(date +%s.%N)
    seq 0 $((USERS - 1)) | xargs -P 8 -I{} curl -sS --max-time 60 -o "$dir/reg/{}.json" \
        -H 'Content-Type: application/json' \
        -d '{"email":"bench-{}@example.com","password":"bench-password-{}","name":"Bench {}"}' \
        "$base/api/v1/auth/register"
    t1=$(date +%s.%N)
    : >"$dir/refresh.txt"
    : >"$dir/access.txt"
    for ((k = 0; k < USERS; k++)); do
        jq -er .refresh_token "$dir/reg/$k.json" >>"$dir/refresh.txt" \
            || { log "registration $k failed: $(cat "$dir/reg/$k.json")"; exit 1; }
        jq -er .access_token "$dir/reg/$k.json" >>"$dir/access.txt"
    done
    record "$run" "${tag}_register_per_s" "$(python3 -c "print(round($USERS / ($t1 - $t0), 2))")"
}

# wrk_run NAME TOKENS THREADS CONNECTIONS SCRIPT URL RUN: runs wrk for BENCH_SECONDS,
# records NAME_{rps,little_rps,mean_ms,p50_ms,p99_ms,failed} (see bench/wrk/common.lua).
wrk_run() {
    local name=$1 tokens=$2 threads=$3 conns=$4 script=$5 url=$6 run=$7 line key
    BENCH_TOKENS="$tokens" BENCH_USERS="$USERS" BENCH_LOGIN_CLIENTS="$BENCH_LOGIN_CLIENTS" \
        BENCH_CONNECTIONS="$conns" \
        wrk -t "$threads" -c "$conns" -d "${BENCH_SECONDS}s" --timeout 30s -s "$script" "$url" \
        >"$OUT/run$run-$name.wrk.txt" 2>&1 || { cat "$OUT/run$run-$name.wrk.txt" >&2; exit 1; }
    line=$(grep '^bench ' "$OUT/run$run-$name.wrk.txt")
    for key in rps little_rps mean_ms p50_ms p99_ms failed; do
        record "$run" "${name}_$key" "$(sed -n "s/.* $key=\([^ ]*\).*/\1/p" <<<"$line")"
    done
    log "  $name: $line"
}

# pgbench_run SCRIPT DB-URL RUN KEY: runs bench/pgbench/SCRIPT.sql with one connection per
# client for BENCH_SECONDS; records KEY_tps and KEY_failed.
pgbench_run() {
    local script=$1 url=$2 run=$3 key=$4 out tps failed
    out="$OUT/run$run-pgbench-$script.txt"
    pgbench -n -M prepared -c "$BENCH_CLIENTS" -j 2 -T "$BENCH_SECONDS" \
        -f "bench/pgbench/$script.sql" "$url" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
    record "$run" "${key}_tps" "$tps"
    record "$run" "${key}_failed" "${failed:-0}"
    log "  pgbench $script: $tps tps"
}

SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
baton_env() { # DATABASE-URL PORT: sets START_ENV to the environment of a bench server
    START_ENV=(-u RUST_LOG -u DATABASE_URL -u BATON_DATABASE__URL
        BATON_PROFILE=prod "BATON_JWT__SECRET=$SECRET" "BATON_DATABASE__URL=$1"
        BATON_SERVER__HOST=127.0.0.1 "BATON_SERVER__PORT=$2"
        "BATON_PASSWORDS__BCRYPT_COST=$BENCH_BCRYPT_COST" BATON_RATE_LIMIT__BURST=0 BATON_LOG__LEVEL=warn
        BATON_LOG__FORMAT=pretty)
}

for ((run = 1; run <= BENCH_RUNS; run++)); do
    busy=$(busy_pct)
    log "run $run of $BENCH_RUNS (CPU busy before start: $busy %, $(contention) rustc processes)"
    record "$run" contention_rustc "$(contention)"
    record "$run" busy_pct_start "$busy"
    record "$run" loadavg "$(cut -d' ' -f1 /proc/loadavg)"

    # --- PostgreSQL -----------------------------------------------------------------------
    db="baton_bench_$run"
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    pg_url="${PG_ADMIN_URL%/*}/$db"
    port=$(free_port)
    base="http://127.0.0.1:$port"
    baton_env "$pg_url" "$port"
    start_server "run$run-baton-pg" /readyz "$port" "$BIN/baton" serve
    START_ENV=()
    record "$run" pg_ready_ms "$READY_MS"
    sleep 1
    record "$run" pg_idle_kib "$(kib "$PID" VmRSS)"
    log "  postgres: ready in $READY_MS ms, idle RSS $(kib "$PID" VmRSS) KiB"
    dir="$OUT/run$run-pg"
    register_users "$base" "$dir" "$run" pg
    record "$run" busy_pct_pg "$(busy_pct)"

    # Each figure right after its limit, so both see the same machine.
    # Refresh. Limit: the rotation's SQL, straight from pgbench, same database.
    psql -q "$pg_url" -f bench/pgbench/setup.sql >/dev/null
    pgbench_run rotation "$pg_url" "$run" pgbench
    wrk_run pg_refresh "$dir/refresh.txt" "$BENCH_CLIENTS" "$BENCH_CLIENTS" \
        bench/wrk/refresh.lua "$base/api/v1/auth/refresh" "$run"

    # Access check. Limit: actix-web alone, same JSON, same wrk script (baton idles meanwhile).
    bare_port=$(free_port)
    baton_pid=$PID
    start_server "run$run-bare" /api/v1/auth/me "$bare_port" "$BIN/baton-bench" bare-me --port "$bare_port"
    wrk_run bare_me "$dir/access.txt" 2 "$BENCH_CLIENTS" bench/wrk/me.lua \
        "http://127.0.0.1:$bare_port/api/v1/auth/me" "$run"
    stop_pid "$PID"
    PID=$baton_pid
    RUNNING_PID=$PID
    wrk_run pg_me "$dir/access.txt" 2 "$BENCH_CLIENTS" bench/wrk/me.lua \
        "$base/api/v1/auth/me" "$run"
    # Not a limit of the issue, a floor for the discussion: the session look-up alone.
    pgbench_run lookup "$pg_url" "$run" pgbench_lookup

    # Login. Limit: raw bcrypt verifications, one thread per core.
    wrk_run pg_login "$dir/access.txt" "$BENCH_LOGIN_CLIENTS" "$BENCH_LOGIN_CLIENTS" \
        bench/wrk/login.lua "$base/api/v1/auth/login" "$run"
    record "$run" pg_peak_kib "$(kib "$PID" VmHWM)"
    log "  postgres: peak RSS $(kib "$PID" VmHWM) KiB"
    stop_pid "$PID"
    RUNNING_PID=""
    "$BIN/baton-bench" bcrypt --cost "$BENCH_BCRYPT_COST" --seconds "$BENCH_SECONDS" \
        >"$OUT/run$run-bcrypt.txt"
    record "$run" bcrypt_per_s "$(sed -n 's/^per_second=//p' "$OUT/run$run-bcrypt.txt")"
    record "$run" bcrypt_threads "$(sed -n 's/^threads=//p' "$OUT/run$run-bcrypt.txt")"
    log "  raw bcrypt: $(sed -n 's/^per_second=//p' "$OUT/run$run-bcrypt.txt")/s"

    # --- SQLite ---------------------------------------------------------------------------
    port=$(free_port)
    base="http://127.0.0.1:$port"
    sqlite_url="sqlite://$OUT/run$run.db"
    baton_env "$sqlite_url" "$port"
    start_server "run$run-baton-sqlite" /readyz "$port" "$BIN/baton" serve
    START_ENV=()
    record "$run" sqlite_ready_ms "$READY_MS"
    sleep 1
    record "$run" sqlite_idle_kib "$(kib "$PID" VmRSS)"
    log "  sqlite: ready in $READY_MS ms, idle RSS $(kib "$PID" VmRSS) KiB"
    dir="$OUT/run$run-sqlite"
    register_users "$base" "$dir" "$run" sqlite
    record "$run" busy_pct_sqlite "$(busy_pct)"
    wrk_run sqlite_refresh "$dir/refresh.txt" "$BENCH_CLIENTS" "$BENCH_CLIENTS" \
        bench/wrk/refresh.lua "$base/api/v1/auth/refresh" "$run"
    record "$run" sqlite_peak_kib "$(kib "$PID" VmHWM)"
    stop_pid "$PID"
    RUNNING_PID=""
done

python3 bench/report.py "$RESULTS"
echo
echo "raw figures, server logs and wrk/pgbench outputs: $OUT"
