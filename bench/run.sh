#!/usr/bin/env bash
# `just bench`: Baton against the limits measured in the same run, on this machine.
#
#   bench/run.sh                                  # 3 runs of 10 s per measurement
#   BENCH_SECONDS=3 BENCH_RUNS=1 bench/run.sh     # a quick look
#   (plus the release build the first time: 5 to 10 minutes on two cores)
#
# Builds release `baton` and `baton-bench`, starts a throwaway PostgreSQL
# (scripts/with-postgres.sh), and for each run, on a fresh database and SQLite file, measures
# each figure right after its limit so both see the same machine (docs/BENCHMARKS.md):
#   PostgreSQL: start (time to /readyz 200), idle RSS, register and log in the bench users,
#     check that the pgbench scripts are the statements the server sends; pgbench running
#     the one rotation statement, then refresh alone, then refresh under a login burst (and
#     pgbench running the slow path's two statements, for information); pgbench running the
#     session look-up, then GET /me, then introspection (skipped, visibly, if the build
#     answers 404); the bare actix-web handler and the same look-up through tokio-postgres
#     (information); peak RSS; raw bcrypt.
#   SQLite: start, idle RSS, register; the rotation statement driven straight on the file
#     (baton-bench sqlite-limit), then refresh; peak RSS.
# Prints one table of medians (bench/report.py) and keeps raw figures, logs and every
# wrk/pgbench output under $TARGET/bench/<time>/.
#
# Knobs (environment): BENCH_SECONDS (10) per measurement, BENCH_RUNS (3), BENCH_CLIENTS
# (64) for refresh, /me and introspection, BENCH_BURST_CLIENTS (2 per core) concurrent
# logins of the burst, BENCH_BCRYPT_COST (12, Baton's default), BENCH_SKIP_BUILD=1 to use
# the binaries as built, BENCH_BATON (a `baton` binary other than the one built here),
# BENCH_PG_SQL (SQL run on each PostgreSQL bench database once baton has migrated it, for
# experiments such as dropping an index), BENCH_BACKENDS ("pg sqlite"; one of them alone for
# a quicker look at it), BENCH_WRK_THREADS (2, as pgbench's -j). BATON_* variables not set here reach the server
# (e.g. BATON_DATABASE__POOL_SIZE, also the thread count of sqlite-limit; unset, the server
# sizes PostgreSQL's pool 16 and SQLite's 2, and the limits follow).
set -euo pipefail
cd "$(dirname "$0")/.."

CORES=$(nproc)
BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_CLIENTS=${BENCH_CLIENTS:-64}
BENCH_BURST_CLIENTS=${BENCH_BURST_CLIENTS:-$((2 * CORES))}
BENCH_BCRYPT_COST=${BENCH_BCRYPT_COST:-12}
POOL_SIZE=${BATON_DATABASE__POOL_SIZE:-16}         # the server's PostgreSQL pool when unset
SQLITE_POOL_SIZE=${BATON_DATABASE__POOL_SIZE:-2}   # and its SQLite pool (baton_config::load)
BENCH_BACKENDS=${BENCH_BACKENDS:-pg sqlite}
WRK_THREADS=${BENCH_WRK_THREADS:-2} # as pgbench -j 2: one load thread per core
# async-me's connections per actix worker (one worker per core): as many in all as the pool.
ASYNC_CONNECTIONS=${BENCH_ASYNC_CONNECTIONS:-$(((POOL_SIZE + CORES - 1) / CORES))}
export BENCH_SECONDS BENCH_RUNS BENCH_CLIENTS BENCH_BURST_CLIENTS BENCH_BCRYPT_COST POOL_SIZE SQLITE_POOL_SIZE ASYNC_CONNECTIONS
TARGET=${CARGO_TARGET_DIR:-target}
BIN="$TARGET/release"
BATON=${BENCH_BATON:-$BIN/baton}
# The configuration files of the binary's own tree (a previous release rejects newer keys).
CONFIG_DIR=${BENCH_CONFIG_DIR:-$(cd "$(dirname "$BATON")/../.." 2>/dev/null && pwd || true)/config}
[[ -d "$CONFIG_DIR" ]] || CONFIG_DIR="$PWD/config"

if [[ "${1:-}" != "--inner" ]]; then
    for n in BENCH_SECONDS BENCH_RUNS BENCH_CLIENTS BENCH_BURST_CLIENTS BENCH_BCRYPT_COST POOL_SIZE WRK_THREADS ASYNC_CONNECTIONS; do
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
# shellcheck source=bench/lib.sh
source bench/lib.sh
trap cleanup EXIT
# The postmaster, for the CPU accounting of every measurement (bench/cpu.py).
POSTMASTER=$(head -1 "$(psql -Atq "$PG_ADMIN_URL" -c "SHOW data_directory")/postmaster.pid")

SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
INTROSPECT_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
BENCH_BASIC=$(printf 'bench:%s' "$INTROSPECT_SECRET" | base64 -w0)
export BENCH_BASIC
baton_env() { # DATABASE-URL PORT: sets START_ENV to the environment of a bench server
    START_ENV=(-u RUST_LOG -u DATABASE_URL -u BATON_DATABASE__URL
        BATON_PROFILE=prod "BATON_CONFIG_DIR=$CONFIG_DIR" "BATON_JWT__SECRET=$SECRET" BATON_JWT__ISSUER=https://baton.bench "BATON_DATABASE__URL=$1"
        BATON_SERVER__HOST=127.0.0.1 "BATON_SERVER__PORT=$2"
        "BATON_PASSWORDS__BCRYPT_COST=$BENCH_BCRYPT_COST" BATON_LOG__LEVEL=warn
        BATON_LOG__FORMAT=pretty)
    # Settings the previous release does not know (BENCH_BATON): only where the binary has them.
    if grep -qa rate_limit "$BATON"; then
        START_ENV+=(BATON_RATE_LIMIT__BURST=0
            "BATON_INTROSPECTION__CLIENTS=[{id=\"bench\", secret=\"$INTROSPECT_SECRET\"}]")
    fi
}

# PostgreSQL: every PostgreSQL figure of run RUN, each right after its limit.
pg_phase() { # RUN
    local run=$1 db pg_url port base alone burst login_pid sampler_pid code bare_port sqlite_url dir key
    db="baton_bench_$run"
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    pg_url="${PG_ADMIN_URL%/*}/$db"
    port=$(free_port)
    base="http://127.0.0.1:$port"
    baton_env "$pg_url" "$port"
    start_server "run$run-baton-pg" /readyz "$port" "$BATON" serve
    START_ENV=()
    record "$run" pg_ready_ms "$READY_MS"
    sleep 1
    record "$run" pg_idle_kib "$(kib "$PID" VmRSS)"
    log "  postgres: ready in $READY_MS ms, idle RSS $(kib "$PID" VmRSS) KiB"
    [[ -z "${BENCH_PG_SQL:-}" ]] || psql -q "$pg_url" -c "$BENCH_PG_SQL" >/dev/null
    alone="$OUT/run$run-pg" burst="$OUT/run$run-pg-burst"
    open_sessions "$base" "$alone" "$run" pg_register register   # chains for refresh alone
    open_sessions "$base" "$burst" "$run" pg_login login         # chains for the burst's run
    check_statements "$PG_ADMIN_URL" "$base" "$run"
    psql -q "$pg_url" -f bench/pgbench/setup.sql >/dev/null
    quiet "$run" pg

    # Refresh. Limit: the one statement a rotation sends, straight from pgbench.
    pgbench_run rotate "$pg_url" "$run" pgbench_rotate
    wrk_run pg_refresh "$alone/refresh.txt" "$WRK_THREADS" "$BENCH_CLIENTS" \
        bench/wrk/refresh.lua "$base/api/v1/auth/refresh" "$run"
    # The same refresh load while logins keep every bcrypt thread busy: the logins start a
    # second earlier and end a second later than the refreshes.
    NO_CPU=1 wrk_run pg_burst_login "$alone/access.txt" "$BENCH_BURST_CLIENTS" "$BENCH_BURST_CLIENTS" \
        bench/wrk/login.lua "$base/api/v1/auth/login" "$run" $((BENCH_SECONDS + 2)) &
    login_pid=$!
    sleep 1
    sample_hash_pool "$base" "$OUT/run$run-hash-pool.txt" &
    sampler_pid=$!
    wrk_run pg_burst_refresh "$burst/refresh.txt" "$WRK_THREADS" "$BENCH_CLIENTS" \
        bench/wrk/refresh.lua "$base/api/v1/auth/refresh" "$run"
    kill "$sampler_pid" 2>/dev/null || true
    wait "$login_pid"
    wait "$sampler_pid" 2>/dev/null || true
    awk '{ r += $1; w += $2; n++ } END { if (n) printf "%.2f %.2f\n", r / n, w / n }' \
        "$OUT/run$run-hash-pool.txt" 2>/dev/null | {
        read -r r w || true
        record "$run" burst_hash_running "${r:-}"
        record "$run" burst_hash_waiting "${w:-}"
    }
    # Information: the same statement from as many clients as the server has connections, and
    # the two statements the slow path (and the previous release) sends.
    pgbench_run rotate "$pg_url" "$run" pgbench_rotate_pool "$POOL_SIZE"
    pgbench_run find-rotate "$pg_url" "$run" pgbench_find_rotate

    # Access check and introspection. Floor: the session look-up alone, from pgbench.
    pgbench_run lookup "$pg_url" "$run" pgbench_lookup
    wrk_run pg_me "$alone/access.txt" "$WRK_THREADS" "$BENCH_CLIENTS" bench/wrk/me.lua \
        "$base/api/v1/auth/me" "$run"
    code=$(curl -sS -o "$OUT/run$run-introspect-probe.json" -w '%{http_code}' -u "bench:$INTROSPECT_SECRET" \
        -d "token=$(head -1 "$alone/access.txt")&token_type_hint=access_token" \
        "$base/api/v1/auth/introspect")
    if [[ "$code" == 404 ]]; then
        record "$run" introspect_available 0
        log "  introspection: 404, not available in this build (skipped)"
    else
        record "$run" introspect_available 1
        wrk_run pg_introspect "$alone/access.txt" "$WRK_THREADS" "$BENCH_CLIENTS" \
            bench/wrk/introspect.lua "$base/api/v1/auth/introspect" "$run"
    fi
    record "$run" pg_peak_kib "$(kib "$PID" VmHWM)"
    log "  postgres: peak RSS $(kib "$PID" VmHWM) KiB"
    stop_server

    # Information: actix-web alone answering the same JSON; raw bcrypt on one thread per core.
    bare_port=$(free_port)
    start_server "run$run-bare" /api/v1/auth/me "$bare_port" "$BIN/baton-bench" bare-me --port "$bare_port"
    wrk_run bare_me "$alone/access.txt" "$WRK_THREADS" "$BENCH_CLIENTS" bench/wrk/me.lua \
        "http://127.0.0.1:$bare_port/api/v1/auth/me" "$run"
    stop_server
    # Information: the floor's look-up sent from the actix worker by an asynchronous client
    # (no blocking-pool hop, no JWT): what such a client could buy the access check.
    bare_port=$(free_port)
    start_server "run$run-async" /api/v1/auth/me "$bare_port" "$BIN/baton-bench" async-me \
        --port "$bare_port" --url "$pg_url" --connections "$ASYNC_CONNECTIONS"
    wrk_run async_me "$alone/access.txt" "$WRK_THREADS" "$BENCH_CLIENTS" bench/wrk/me.lua \
        "http://127.0.0.1:$bare_port/api/v1/auth/me" "$run"
    stop_server
    "$BIN/baton-bench" bcrypt --cost "$BENCH_BCRYPT_COST" --seconds "$BENCH_SECONDS" \
        >"$OUT/run$run-bcrypt.txt"
    record "$run" bcrypt_per_s "$(sed -n 's/^per_second=//p' "$OUT/run$run-bcrypt.txt")"
    record "$run" bcrypt_threads "$(sed -n 's/^threads=//p' "$OUT/run$run-bcrypt.txt")"
    log "  raw bcrypt: $(sed -n 's/^per_second=//p' "$OUT/run$run-bcrypt.txt")/s"
}

# SQLite: the SQLite figures of run RUN.
sqlite_phase() { # RUN
    local run=$1 db pg_url port base alone burst login_pid sampler_pid code bare_port sqlite_url dir key
    port=$(free_port)
    base="http://127.0.0.1:$port"
    sqlite_url="sqlite://$OUT/run$run.db"
    baton_env "$sqlite_url" "$port"
    start_server "run$run-baton-sqlite" /readyz "$port" "$BATON" serve
    START_ENV=()
    record "$run" sqlite_ready_ms "$READY_MS"
    sleep 1
    record "$run" sqlite_idle_kib "$(kib "$PID" VmRSS)"
    log "  sqlite: ready in $READY_MS ms, idle RSS $(kib "$PID" VmRSS) KiB"
    dir="$OUT/run$run-sqlite"
    open_sessions "$base" "$dir" "$run" sqlite_register register
    quiet "$run" sqlite
    # Limit: the rotation statement on the same file, as many threads as the server's SQLite pool.
    local limit="$OUT/run$run-sqlite-limit.txt" TIMEFORMAT='%U %S'
    cpu_start
    { time "$BIN/baton-bench" sqlite-limit --url "$sqlite_url" --threads "$SQLITE_POOL_SIZE" \
        --seconds "$BENCH_SECONDS" >"$limit" 2>"$limit.err"; } 2>"$limit.time"
    cpu_end sqlite_limit "$run" "$limit.time" "$(sed -n 's/^ops=//p' "$limit")"
    for key in per_second p50_ms p99_ms failed; do
        record "$run" "sqlite_limit_$key" "$(sed -n "s/^$key=//p" "$limit")"
    done
    log "  sqlite-limit: $(tr '\n' ' ' <"$limit")"
    wrk_run sqlite_refresh "$dir/refresh.txt" "$WRK_THREADS" "$BENCH_CLIENTS" \
        bench/wrk/refresh.lua "$base/api/v1/auth/refresh" "$run"
    record "$run" sqlite_peak_kib "$(kib "$PID" VmHWM)"
    stop_server
}

for ((run = 1; run <= BENCH_RUNS; run++)); do
    log "run $run of $BENCH_RUNS"
    record "$run" loadavg "$(cut -d' ' -f1 /proc/loadavg)"
    quiet "$run" start
    for backend in $BENCH_BACKENDS; do
        case $backend in
            pg) pg_phase "$run" ;;
            sqlite) sqlite_phase "$run" ;;
            *) log "unknown backend $backend in BENCH_BACKENDS (pg, sqlite)"; exit 2 ;;
        esac
    done
done

python3 bench/report.py "$RESULTS"
echo
echo "raw figures, server logs and wrk/pgbench outputs: $OUT"
