# Helpers of bench/run.sh (sourced, not run). They expect BIN, OUT, RESULTS, USERS and the
# BENCH_* knobs set by run.sh; profile_target (last) serves the profiling scripts.

RUNNING_PID=""
POSTMASTER=0 # PostgreSQL's postmaster, for bench/cpu.py (0: none)
CPU_PID=0    # the server under load, for bench/cpu.py (0: none)

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

# quiet RUN PHASE: records busy_pct_PHASE and rustc_PHASE (someone else's load right now).
quiet() {
    local busy rustc
    busy=$(busy_pct)
    rustc=$(contention)
    record "$1" "busy_pct_$2" "$busy"
    record "$1" "rustc_$2" "$rustc"
    log "  idle check before $2: CPU $busy % busy, $rustc rustc"
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
    CPU_PID=$PID
}

# stop_server: stops the server start_server started.
stop_server() {
    stop_pid "$PID"
    RUNNING_PID=""
    CPU_PID=0
}

# open_sessions BASE DIR RUN KEY ROUTE: registers (ROUTE register) or logs in (ROUTE login)
# bench-<k>@example.com for k < USERS, 8 at a time; writes DIR/refresh.txt and DIR/access.txt
# (line k = user k, one fresh session each); records KEY_per_s.
open_sessions() {
    local base=$1 dir=$2 run=$3 key=$4 route=$5 t0 t1 k
    mkdir -p "$dir/$route"
    t0=$(date +%s.%N)
    seq 0 $((USERS - 1)) | xargs -P 8 -I{} curl -sS --max-time 60 -o "$dir/$route/{}.json" \
        -H 'Content-Type: application/json' \
        -d '{"email":"bench-{}@example.com","password":"bench-password-{}","name":"Bench {}"}' \
        "$base/api/v1/auth/$route"
    t1=$(date +%s.%N)
    : >"$dir/refresh.txt"
    : >"$dir/access.txt"
    for ((k = 0; k < USERS; k++)); do
        jq -er .refresh_token "$dir/$route/$k.json" >>"$dir/refresh.txt" \
            || { log "$route $k failed: $(cat "$dir/$route/$k.json")"; exit 1; }
        jq -er .access_token "$dir/$route/$k.json" >>"$dir/access.txt"
    done
    record "$run" "${key}_per_s" "$(python3 -c "print(round($USERS / ($t1 - $t0), 2))")"
}

# cpu_start / cpu_end NAME RUN LOAD-TIME-FILE OPS: where the CPU went between the two, per
# operation (bench/cpu.py); records NAME_cpu_{pg,server,load,other}_us and NAME_cpu_idle_pct.
# LOAD-TIME-FILE holds the load generator's "user system" seconds (bash's `time`).
cpu_start() { CPU_BEFORE=$(python3 bench/cpu.py snapshot "$POSTMASTER" "$CPU_PID"); }
cpu_end() {
    local after k v
    after=$(python3 bench/cpu.py snapshot "$POSTMASTER" "$CPU_PID")
    while IFS== read -r k v; do
        record "$2" "$1_$k" "$v"
    done < <(python3 bench/cpu.py account "$CPU_BEFORE" "$after" \
        "$(awk '{ print $1 + $2 }' "$3")" "$4")
}

# wrk_run NAME TOKENS THREADS CONNECTIONS SCRIPT URL RUN [SECONDS]: runs wrk for SECONDS
# (default BENCH_SECONDS), records NAME_{rps,little_rps,mean_ms,p50_ms,p99_ms,failed} (see
# bench/wrk/common.lua) and, unless NO_CPU is set, the CPU accounting of cpu_end.
wrk_run() {
    local name=$1 tokens=$2 threads=$3 conns=$4 script=$5 url=$6 run=$7 seconds=${8:-$BENCH_SECONDS}
    local line key out="$OUT/run$run-$name.wrk.txt" TIMEFORMAT='%U %S'
    [[ -n "${NO_CPU:-}" ]] || cpu_start
    { time BENCH_TOKENS="$tokens" BENCH_USERS="$USERS" BENCH_LOGIN_CLIENTS="$conns" \
        BENCH_THREADS="$threads" BENCH_CONNECTIONS="$conns" \
        wrk -t "$threads" -c "$conns" -d "${seconds}s" --timeout 30s -s "$script" "$url" \
        >"$out" 2>&1; } 2>"$out.time" || { cat "$out" >&2; exit 1; }
    line=$(grep '^bench ' "$out")
    for key in rps little_rps mean_ms p50_ms p99_ms failed; do
        record "$run" "${name}_$key" "$(sed -n "s/.* $key=\([^ ]*\).*/\1/p" <<<"$line")"
    done
    [[ -n "${NO_CPU:-}" ]] || cpu_end "$name" "$run" "$out.time" "$(sed -n 's/^bench ok=\([0-9]*\).*/\1/p' <<<"$line")"
    log "  $name: $line"
}

# pgbench_run SCRIPT DB-URL RUN KEY [CLIENTS]: runs bench/pgbench/SCRIPT.sql -M prepared
# with CLIENTS (default BENCH_CLIENTS) connections for BENCH_SECONDS; records KEY_tps,
# KEY_failed and the CPU accounting of cpu_end.
pgbench_run() {
    local script=$1 url=$2 run=$3 key=$4 clients=${5:-$BENCH_CLIENTS} out tps failed TIMEFORMAT='%U %S'
    out="$OUT/run$run-pgbench-$key.txt"
    cpu_start
    { time pgbench -n -M prepared -c "$clients" -j 2 -T "$BENCH_SECONDS" -D init=1 \
        -f "bench/pgbench/$script.sql" "$url" >"$out" 2>&1; } 2>"$out.time" || { cat "$out" >&2; exit 1; }
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
    record "$run" "${key}_tps" "$tps"
    record "$run" "${key}_failed" "${failed:-0}"
    cpu_end "$key" "$run" "$out.time" \
        "$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")"
    log "  pgbench $script: $tps tps"
}

# sample_hash_pool BASE FILE: appends "running waiting" of the bcrypt pool from /metrics once
# a second until killed.
sample_hash_pool() {
    local base=$1 file=$2 m
    while sleep 1; do
        m=$(curl -sS --max-time 2 "$base/metrics" 2>/dev/null) || continue
        awk '$1 == "baton_password_hashing_running" { r = $2 }
             $1 == "baton_password_hashing_waiting" { w = $2 }
             END { if (r != "") print r, w }' <<<"$m" >>"$file"
    done
}

# check_statements PG-ADMIN-URL BASE RUN: logs every statement PostgreSQL receives while one
# access check and one refresh of a fresh account run, then checks that the pgbench limits
# run those very statements (bench/statements.py); records stmt_* keys.
check_statements() {
    local admin=$1 base=$2 run=$3 dir="$OUT/run$3-statements" datadir logfile before r
    mkdir -p "$dir"
    r=$(curl -sS -H 'Content-Type: application/json' \
        -d '{"email":"bench-statements@example.com","password":"bench-password-statements"}' \
        "$base/api/v1/auth/register")
    datadir=$(psql -Atq "$admin" -c "SHOW data_directory")
    logfile="$(dirname "$datadir")/server.log"
    psql -q "$admin" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.3
    before=$(wc -l <"$logfile")
    curl -sS -o /dev/null -H "Authorization: Bearer $(jq -r .access_token <<<"$r")" "$base/api/v1/auth/me"
    sleep 0.2
    tail -n +"$((before + 1))" "$logfile" | grep -v 'pg_reload_conf\|ALTER SYSTEM' >"$dir/me.log" || true
    before=$(wc -l <"$logfile")
    curl -sS -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"refresh_token\":\"$(jq -r .refresh_token <<<"$r")\"}" "$base/api/v1/auth/refresh"
    sleep 0.2
    tail -n +"$((before + 1))" "$logfile" | grep -v 'pg_reload_conf\|ALTER SYSTEM' >"$dir/refresh.log" || true
    psql -q "$admin" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
    cat "$dir/me.log" "$dir/refresh.log" >"$dir/both.log"
    local ok=1 out
    out=$(python3 bench/statements.py "$dir/refresh.log" bench/pgbench/rotate.sql) || ok=0
    record "$run" stmt_per_refresh "$(sed -n 's/^sent=\([0-9]*\).*/\1/p' <<<"$out" | head -1)"
    out=$(python3 bench/statements.py "$dir/me.log" bench/pgbench/lookup.sql) || ok=0
    record "$run" stmt_per_me "$(sed -n 's/^sent=\([0-9]*\).*/\1/p' <<<"$out" | head -1)"
    python3 bench/statements.py "$dir/both.log" bench/pgbench/find-rotate.sql >/dev/null || ok=0
    record "$run" stmt_match "$ok"
    log "  statements: $(grep -c 'LOG:  \(execute\|statement\)' "$dir/refresh.log") per refresh, $(grep -c 'LOG:  \(execute\|statement\)' "$dir/me.log") per access check; pgbench scripts match: $ok"
}

# profile_target NAME BACKEND: a fresh database and a free port for a profiling script
# (bench/profile.sh, bench/callgrind.sh): a new PostgreSQL database NAME on TEST_DATABASE_URL
# (BACKEND pg) or $OUT/baton.db. Sets url, port, base, secret and extra (what $BATON needs
# beyond the script's own settings: the rate limit off where the binary has one).
profile_target() {
    if [[ "$2" == pg ]]; then
        psql -q "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
        url="${TEST_DATABASE_URL%/*}/$1"
    else
        url="sqlite://$OUT/baton.db"
    fi
    port=$(free_port)
    base="http://127.0.0.1:$port"
    secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
    extra=()
    if grep -qa rate_limit "$BATON"; then extra=(BATON_RATE_LIMIT__BURST=0); fi
}
