#!/usr/bin/env bash
# Instructions per request inside `baton`, counted by valgrind's callgrind: the same count
# for the same binary and requests whatever else the machine is doing, so a before/after
# comparison holds on a busy machine where timings do not.
#
#   bench/callgrind.sh                        # refresh on PostgreSQL, this build
#   CG_ROUTE=me bench/callgrind.sh            # the access check
#   CG_BACKEND=sqlite bench/callgrind.sh
#   CG_BATON=/path/to/other/baton bench/callgrind.sh   # e.g. the previous release
#
# Starts baton under callgrind with instrumentation off, registers CG_CHAINS accounts,
# warms up, then counts only while wrk (one thread, CG_CHAINS connections) runs CG_SECONDS
# of the route. Writes under $TARGET/callgrind/<time>/ the raw callgrind.out, and split.txt:
# instructions per request by component (bench/callgrind_split.py: HTTP, JWT, diesel, libpq,
# SQLite, allocator, ...). PostgreSQL's own work is not in it (another process: see
# bench/profile.sh for the CPU split between processes).
# Knobs: CG_ROUTE (refresh | me), CG_BACKEND (pg | sqlite), CG_SECONDS (20), CG_CHAINS (4),
# CG_BATON, BENCH_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

CG_ROUTE=${CG_ROUTE:-refresh}
CG_BACKEND=${CG_BACKEND:-pg}
CG_SECONDS=${CG_SECONDS:-20}
CG_CHAINS=${CG_CHAINS:-4}
export CG_ROUTE CG_BACKEND CG_SECONDS CG_CHAINS
TARGET=${CARGO_TARGET_DIR:-target}
BIN="$TARGET/release"
BATON=$(realpath "${CG_BATON:-$BIN/baton}")
export BATON
# The configuration files of the binary's own tree (a previous release rejects newer keys).
CONFIG_DIR=${BENCH_CONFIG_DIR:-$(cd "$(dirname "$BATON")/../.." 2>/dev/null && pwd)/config}
[[ -d "$CONFIG_DIR" ]] || CONFIG_DIR="$PWD/config"

source bench/lib.sh
if [[ "${1:-}" != "--inner" ]]; then
    for tool in valgrind callgrind_control wrk jq curl; do
        command -v "$tool" >/dev/null 2>&1 || { echo "callgrind: $tool is required" >&2; exit 1; }
    done
    if [[ -z "${BENCH_SKIP_BUILD:-}" && -z "${CG_BATON:-}" ]]; then
        cargo build --release --quiet --bin baton --bin baton-bench
    fi
    exec scripts/with-postgres.sh "$0" --inner
fi

OUT="$TARGET/callgrind/$(date -u +%Y%m%d-%H%M%S)-$CG_ROUTE-$CG_BACKEND"
mkdir -p "$OUT"
profile_target baton_callgrind "$CG_BACKEND"

env -u RUST_LOG -u DATABASE_URL BATON_PROFILE=prod BATON_CONFIG_DIR="$CONFIG_DIR" BATON_JWT__SECRET="$secret" BATON_JWT__ISSUER=https://baton.bench BATON_SECURITY__ALLOW_WEAK_SETTINGS="[passwords.bcrypt_cost]" \
    BATON_DATABASE__URL="$url" BATON_SERVER__HOST=127.0.0.1 BATON_SERVER__PORT="$port" \
    BATON_PASSWORDS__BCRYPT_COST=4 BATON_LOG__LEVEL=warn ${extra[@]+"${extra[@]}"} \
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/callgrind.out" \
    "$BATON" serve >"$OUT/baton.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$base/readyz" >/dev/null || { cat "$OUT/baton.log" >&2; exit 1; }

: >"$OUT/refresh.txt"
: >"$OUT/access.txt"
for ((k = 0; k < CG_CHAINS; k++)); do
    r=$(curl -sS -H 'Content-Type: application/json' \
        -d "{\"email\":\"cg-$k@example.com\",\"password\":\"cg-password-$k\"}" "$base/api/v1/auth/register")
    jq -er .refresh_token <<<"$r" >>"$OUT/refresh.txt"
    jq -er .access_token <<<"$r" >>"$OUT/access.txt"
done
if [[ "$CG_ROUTE" == me ]]; then
    script=bench/wrk/me.lua tokens="$OUT/access.txt" path=/api/v1/auth/me
else
    script=bench/wrk/refresh.lua tokens="$OUT/refresh.txt" path=/api/v1/auth/refresh
fi
load() { # SECONDS OUTPUT
    BENCH_TOKENS="$tokens" BENCH_THREADS=1 BENCH_CONNECTIONS="$CG_CHAINS" \
        wrk -t 1 -c "$CG_CHAINS" -d "$1s" --timeout 30s -s "$script" "$base$path" >"$2" 2>&1
}
# Warm up (connections opened, statements prepared, caches filled), uncounted. The refresh
# chains move on, so the counted run continues them from a new login of each account.
load 3 "$OUT/warmup.txt"
if [[ "$CG_ROUTE" == refresh ]]; then
    : >"$OUT/refresh.txt"
    for ((k = 0; k < CG_CHAINS; k++)); do
        curl -sS -H 'Content-Type: application/json' \
            -d "{\"email\":\"cg-$k@example.com\",\"password\":\"cg-password-$k\"}" "$base/api/v1/auth/login" \
            | jq -er .refresh_token >>"$OUT/refresh.txt"
    done
fi
callgrind_control -z "$pid" >/dev/null
callgrind_control -i on "$pid" >/dev/null
load "$CG_SECONDS" "$OUT/wrk.txt"
callgrind_control -i off "$pid" >/dev/null
callgrind_control -d "$pid" >/dev/null
ok=$(sed -n 's/^bench ok=\([0-9]*\) failed=\([0-9]*\).*/\1/p' "$OUT/wrk.txt")
failed=$(sed -n 's/^bench ok=[0-9]* failed=\([0-9]*\).*/\1/p' "$OUT/wrk.txt")
[[ "$failed" == 0 ]] || echo "callgrind: $failed requests failed (see $OUT/wrk.txt)" >&2
dump=$(ls -t "$OUT"/callgrind.out* | head -1)
python3 bench/callgrind_split.py "$dump" "$ok" | tee "$OUT/split.txt"
echo "binary: $BATON ($(sha256sum "$BATON" | cut -c1-12)); data: $OUT"
