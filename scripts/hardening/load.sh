#!/usr/bin/env bash
# Load: many concurrent keep-alive connections of mixed traffic against a release build on
# PostgreSQL; passes when no answer is a 5xx and no request timed out.
#
#   scripts/hardening/load.sh                         (just load)
#   LOAD_CONNECTIONS=1000 LOAD_SECONDS=60 LOAD_USERS=500 scripts/hardening/load.sh
#
# Steps: release build; throwaway PostgreSQL (scripts/with-postgres.sh); `baton serve` on
# 127.0.0.1 (prod profile, bcrypt cost 10, default pool and workers); LOAD_USERS accounts
# registered; then wrk (2 threads) with load.lua: ~70% GET /me, ~29% refresh (each chain
# rotating, never replayed), logins capped at 5/s per wrk thread; 10 s client timeout. Prints
# the answer counts, latency and the server's peak resident memory (VmHWM). Needs wrk
# (`apt-get install wrk`). Raises the open-files limit for wrk and the server.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

if [[ -z "${HARDENING_INNER:-}" ]]; then
    command -v wrk >/dev/null || { echo "load.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
    source "$HERE/common.sh"
    build_release
    export HARDENING_BATON_BIN HARDENING_INNER=1
    exec "$ROOT/scripts/with-postgres.sh" "$0" "$@"
fi

source "$HERE/common.sh"
CONNECTIONS=${LOAD_CONNECTIONS:-1000}
SECONDS_=${LOAD_SECONDS:-60}
USERS=${LOAD_USERS:-500}
THREADS=2
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < CONNECTIONS + 512 )); then
    echo "open-files limit $(ulimit -n) is too low for $CONNECTIONS connections" >&2; exit 1
fi

TMP=$(mktemp -d)
trap 'stop_baton; rm -rf "$TMP"' EXIT
DB=$(fresh_database)
start_baton "$DB" "$TMP/baton.log" BATON_PASSWORDS__BCRYPT_COST=10 BATON_RATE_LIMIT__BURST=0
echo "load: $CONNECTIONS connections, ${SECONDS_}s, $USERS users, $(nproc) cores, baton pid $BATON_PID at $BATON_URL"

python3 - "$BATON_URL" "$USERS" "$BATON_PASSWORD" >"$TMP/tokens" <<'PY'
import concurrent.futures, json, sys, urllib.request
base, users, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def register(i):
    email = f"load{i}@example.com"
    body = json.dumps({"email": email, "password": password}).encode()
    req = urllib.request.Request(base + "/api/v1/auth/register", body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        t = json.load(res)
    return f"{email} {t['access_token']} {t['refresh_token']}"
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    for line in pool.map(register, range(users)):
        print(line)
PY
echo "registered $(wc -l <"$TMP/tokens") users; VmRSS before load: $(awk '/VmRSS/ {print $2, $3}' /proc/$BATON_PID/status)"

BATON_LOAD_TOKENS="$TMP/tokens" BATON_LOAD_THREADS=$THREADS BATON_LOAD_PASSWORD="$BATON_PASSWORD" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_}s" --timeout 10s -s "$HERE/load.lua" "$BATON_URL" \
    | tee "$TMP/wrk.out"

kill -0 "$BATON_PID" 2>/dev/null || { echo "FAIL: baton died under load" >&2; tail -20 "$TMP/baton.log" >&2; exit 1; }
peak=$(awk '/VmHWM/ {print $2, $3}' /proc/$BATON_PID/status)
threads=$(awk '/Threads/ {print $2}' /proc/$BATON_PID/status)
ready=$(curl -s -o /dev/null -w '%{http_code}' "$BATON_URL/readyz")
result=$(grep '^RESULT ' "$TMP/wrk.out") || { echo "FAIL: no RESULT line from wrk" >&2; exit 1; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$result"; }
echo "peak memory (VmHWM): $peak; threads: $threads; /readyz after load: $ready"
status=0
[[ $(field 5xx) -eq 0 ]] || { echo "FAIL: $(field 5xx) answers were 5xx"; status=1; }
[[ $(field timeouts) -eq 0 ]] || { echo "FAIL: $(field timeouts) requests timed out"; status=1; }
[[ $(field logins) -gt 0 && $(field refreshes) -gt 0 && $(field me) -gt 0 ]] \
    || { echo "FAIL: the mix did not include every kind of request"; status=1; }
[[ $ready == 200 ]] || { echo "FAIL: /readyz answered $ready after the load"; status=1; }
if [[ $status -eq 0 ]]; then echo "PASS: zero 5xx, zero timeouts"; fi
exit $status
