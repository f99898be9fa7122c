#!/usr/bin/env bash
# Runs a command against a throwaway `baton serve`, for the API tools that drive Baton from its
# own OpenAPI document (`just schemathesis`, `just python-client`; docs/API_TESTING.md).
#
#   scripts/api/with-baton.sh PORT COMMAND [ARGS...]
#
# The server is the debug binary (build it first: `cargo build --bin baton`; CARGO_TARGET_DIR
# is honoured) with the dev profile, on a fresh SQLite file in a temporary directory, listening
# on 127.0.0.1:PORT only, and configured for tools that send many requests from one address:
#   - the login lockout, the per-address ceiling and the rate limit are off (a fuzzer's wrong
#     passwords would otherwise lock the account it authenticates with, and its bursts would
#     be answered 429 before any rule it is meant to exercise);
#   - bcrypt cost 4, the lowest bcrypt accepts (thousands of registrations and logins);
#   - one introspection client, so that `POST /api/v1/auth/introspect` can be called;
#   - one allowed browser origin, so that cookie transport (`Baton-Transport: cookie`) can be.
# COMMAND gets, in its environment:
#   API_BASE_URL              http://127.0.0.1:PORT
#   API_ORIGIN                the origin to send as `Origin` with cookie transport
#   API_INTROSPECT_ID, API_INTROSPECT_SECRET  the introspection client's credentials
# The server is stopped (SIGTERM) and its files deleted when COMMAND ends, whatever its outcome;
# its log is printed when COMMAND fails, and kept in $API_SERVER_LOG when that is set (every
# request is logged with its status and code). The exit status is COMMAND's.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 PORT COMMAND [ARGS...]" >&2
    exit 2
fi
port=$1
shift

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin="${CARGO_TARGET_DIR:-$root/target}/debug/baton"
[[ -x "$bin" ]] || { echo "$0: no binary at $bin (cargo build --bin baton)" >&2; exit 1; }

export API_BASE_URL="http://127.0.0.1:$port"
export API_ORIGIN="https://app.example.test"
export API_INTROSPECT_ID="api-tests"
# Fixed, not secret: this server lives for one run, on loopback, with a throwaway database.
export API_INTROSPECT_SECRET="api-tests-introspection-secret-0123456789"

dir=$(mktemp -d "${TMPDIR:-/tmp}/baton-api.XXXXXX")
log="${API_SERVER_LOG:-$dir/baton.log}"
pid=""
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

env BATON_PROFILE=dev BATON_CONFIG_DIR="$root/config" \
    BATON_DATABASE__URL="sqlite://$dir/baton.db" \
    BATON_SERVER__HOST=127.0.0.1 BATON_SERVER__PORT="$port" \
    BATON_LOGIN__MAX_FAILED_LOGINS=0 BATON_LOGIN__MAX_FAILURES_PER_ADDRESS=0 \
    BATON_RATE_LIMIT__BURST=0 BATON_PASSWORDS__BCRYPT_COST=4 \
    BATON_INTROSPECTION__CLIENTS="[{id=\"$API_INTROSPECT_ID\", secret=\"$API_INTROSPECT_SECRET\"}]" \
    BATON_COOKIES__ALLOWED_ORIGINS="[\"$API_ORIGIN\"]" \
    "$bin" serve 2>"$log" &
pid=$!

ready=""
for _ in $(seq 300); do
    if curl -fsS "$API_BASE_URL/readyz" >/dev/null 2>&1; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$ready" ]]; then
    echo "$0: baton did not become ready on $API_BASE_URL:" >&2
    tail -30 "$log" >&2
    exit 1
fi

status=0
"$@" || status=$?
if [[ $status -ne 0 ]]; then
    echo "$0: command failed ($status); the server's last log lines:" >&2
    tail -30 "$log" >&2
fi
exit "$status"
