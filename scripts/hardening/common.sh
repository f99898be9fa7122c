# Shared by the hardening scripts (sourced, not run): build the release binary, make a fresh
# database on the PostgreSQL of scripts/with-postgres.sh, start and stop `baton serve`.
# Everything listens on 127.0.0.1 only.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BATON_SECRET="hardening-script-secret-0123456789abcdef"
BATON_PASSWORD="correct horse battery"

# Builds target/release/baton (honours CARGO_TARGET_DIR) and sets HARDENING_BATON_BIN.
build_release() {
    (cd "$ROOT" && cargo build --release --bin baton --quiet)
    HARDENING_BATON_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/baton"
    [[ -x "$HARDENING_BATON_BIN" ]] || { echo "no binary at $HARDENING_BATON_BIN" >&2; exit 1; }
}

# Prints the URL of a new empty database on $TEST_DATABASE_URL's server.
fresh_database() {
    local name="baton_hardening_$(date +%s)_$RANDOM"
    psql "$TEST_DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $name" >/dev/null
    echo "${TEST_DATABASE_URL%/*}/$name"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_baton DATABASE_URL LOGFILE [VAR=value ...]: starts `baton serve` in the background
# with the prod profile and the given overrides; sets BATON_PID and BATON_URL, waits for
# /readyz.
start_baton() {
    local db=$1 log=$2; shift 2
    local port; port=$(free_port)
    local config_dir; config_dir=$(mktemp -d)   # empty: an explicit config dir must exist
    env -i PATH="$PATH" BATON_PROFILE=prod BATON_CONFIG_DIR="$config_dir" \
        BATON_JWT__SECRET="$BATON_SECRET" BATON_JWT__ISSUER=https://baton.test BATON_DATABASE__URL="$db" \
        BATON_SERVER__HOST=127.0.0.1 BATON_SERVER__PORT="$port" "$@" \
        "$HARDENING_BATON_BIN" serve >"$log" 2>&1 &
    BATON_PID=$!
    BATON_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 300); do
        if curl -fsS "$BATON_URL/readyz" >/dev/null 2>&1; then return 0; fi
        kill -0 "$BATON_PID" 2>/dev/null || { cat "$log" >&2; echo "baton exited" >&2; exit 1; }
        sleep 0.1
    done
    echo "baton did not become ready" >&2; tail -20 "$log" >&2; exit 1
}

stop_baton() {
    if [[ -n "${BATON_PID:-}" ]] && kill -0 "$BATON_PID" 2>/dev/null; then
        kill -TERM "$BATON_PID"; wait "$BATON_PID" 2>/dev/null || true
    fi
}
