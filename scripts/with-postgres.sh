#!/usr/bin/env bash
# Runs a command with TEST_DATABASE_URL pointing at a PostgreSQL server.
#
#   scripts/with-postgres.sh cargo test -p baton-store
#
# If TEST_DATABASE_URL (or a postgres:// DATABASE_URL) is set, that server is used as is.
# Otherwise a throwaway server is started from the newest /usr/lib/postgresql/*/bin in a
# temporary directory (random free port on 127.0.0.1, socket in the temp dir, fsync off),
# and stopped and deleted when the command ends, whatever its outcome. The command's exit
# status is this script's exit status.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    export TEST_DATABASE_URL
    exec "$@"
fi
case "${DATABASE_URL:-}" in
    postgres://* | postgresql://*)
        export TEST_DATABASE_URL="$DATABASE_URL"
        exec "$@"
        ;;
esac

PGBIN=""
for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/pg_ctl" ]] || continue
    version=$(basename "$(dirname "$dir")")
    if [[ -z "$PGBIN" || "$version" -gt "$(basename "$(dirname "$PGBIN")")" ]]; then
        PGBIN="$dir"
    fi
done
if [[ -z "$PGBIN" ]]; then
    PGBIN=$(dirname "$(command -v pg_ctl 2>/dev/null || true)")
fi
if [[ ! -x "$PGBIN/initdb" || ! -x "$PGBIN/pg_ctl" ]]; then
    echo "$0: no PostgreSQL server binaries found (looked in /usr/lib/postgresql/*/bin and PATH);" >&2
    echo "install PostgreSQL or set TEST_DATABASE_URL" >&2
    exit 1
fi

# initdb and pg_ctl refuse to run as root: run them as the postgres user then.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    as_pg=(runuser -u postgres --)
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/baton-pg.XXXXXX")
chmod 755 "$TMP"
if [[ ${#as_pg[@]} -gt 0 ]]; then
    chown postgres "$TMP"
fi

cleanup() {
    # Stop whatever got started, even by a start that then timed out.
    if [[ -f "$TMP/data/postmaster.pid" ]]; then
        ${as_pg[@]+"${as_pg[@]}"} "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

# C.UTF-8 where the system has it (Debian, Ubuntu), plain C otherwise (macOS).
init() {
    ${as_pg[@]+"${as_pg[@]}"} "$PGBIN/initdb" -D "$TMP/data" -U postgres --auth=trust -E UTF8 "$@" \
        >"$TMP/initdb.log" 2>&1
}
if ! init --locale=C.UTF-8; then
    rm -rf "$TMP/data"
    init --no-locale || { cat "$TMP/initdb.log" >&2; exit 1; }
fi

# The port is only reserved once the server binds it; retry if another process took it.
for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    if ${as_pg[@]+"${as_pg[@]}"} "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 30 \
        -o "-p $PORT -k $TMP -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        break
    fi
    ${as_pg[@]+"${as_pg[@]}"} "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    if [[ $attempt -eq 5 ]]; then
        echo "$0: PostgreSQL did not start:" >&2
        cat "$TMP/server.log" >&2 || true
        exit 1
    fi
done

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: PostgreSQL $(basename "$(dirname "$PGBIN")") on $TEST_DATABASE_URL" >&2

status=0
"$@" || status=$?
exit "$status"
