#!/usr/bin/env bash
# What `sessions_expires_at_idx` costs a rotation and what it saves purge, on PostgreSQL.
#
#   bench/hot.sh                         # 100,000 sessions, 10 s per pgbench figure
#   HOT_SESSIONS=1000000 bench/hot.sh
#
# A rotation moves the sliding expiry (expires_at = now + refresh_ttl). While expires_at is
# indexed, PostgreSQL cannot make that a HOT update: every rotation adds an entry to every
# index of the table. In `just bench` this hardly shows, because there each chain rotates
# a hundred times a second and the expiry, kept in whole seconds, moves once a second:
# nearly every rotation there is HOT. In production a session rotates every few minutes
# and every rotation moves the expiry. This script measures that case, with and without the
# index, on a migrated database holding HOT_SESSIONS sessions (2 % of them expired):
#   1. pgbench, the rotation statement of bench/pgbench/rotate.sql with the expiry moving
#      on every rotation (SET expires_at = now() + 7 days): transactions per second and the
#      share of HOT updates (pg_stat_user_tables);
#   2. purge's DELETE (the statement `baton purge` sends, as diesel renders it), timed with
#      EXPLAIN ANALYZE inside a transaction that is rolled back, three times each;
# first with the index (created for the comparison: migration 000004 drops it), then after
# DROP INDEX sessions_expires_at_idx, as migrated.
# Knobs: HOT_SESSIONS (100000), BENCH_SECONDS (10), BENCH_CLIENTS (64), BENCH_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

HOT_SESSIONS=${HOT_SESSIONS:-100000}
BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_CLIENTS=${BENCH_CLIENTS:-64}
export HOT_SESSIONS BENCH_SECONDS BENCH_CLIENTS
TARGET=${CARGO_TARGET_DIR:-target}

if [[ "${1:-}" != "--inner" ]]; then
    [[ -n "${BENCH_SKIP_BUILD:-}" ]] || cargo build --release --quiet --bin baton
    exec scripts/with-postgres.sh "$0" --inner
fi

OUT="$TARGET/hot/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
db=baton_hot
psql -q "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
url="${TEST_DATABASE_URL%/*}/$db"
BATON_PROFILE=prod BATON_JWT__ISSUER=https://baton.bench BATON_DATABASE__URL="$url" BATON_LOG__LEVEL=warn \
    BATON_JWT__SECRET="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    "$TARGET/release/baton" migrate >/dev/null

# Users bench-0..63 own the pgbench sessions (setup.sql); 1,000 users own the rest.
psql -q "$url" >/dev/null <<SQL
INSERT INTO users (id, email, password_hash, created_at, updated_at)
SELECT gen_random_uuid(), 'bench-' || n || '@example.com', 'x', now(), now()
  FROM generate_series(0, $((BENCH_CLIENTS - 1))) n;
INSERT INTO users (id, email, password_hash, created_at, updated_at)
SELECT gen_random_uuid(), 'user-' || n || '@example.com', 'x', now(), now()
  FROM generate_series(1, 1000) n;
INSERT INTO sessions (id, user_id, refresh_hash, generation, rotated_at, created_at,
                      last_used_at, expires_at, absolute_expires_at, user_agent, client_addr)
SELECT gen_random_uuid(), u.id, sha256(n::text::bytea), 0, now(), now(), now(),
       now() + (CASE WHEN n % 50 = 0 THEN -1 ELSE 1 END) * random() * interval '7 days',
       now() + interval '30 days', 'hot.sh', '127.0.0.1'
  FROM generate_series(1, $HOT_SESSIONS) n
  JOIN LATERAL (SELECT id FROM users WHERE email = 'user-' || (1 + n % 1000) || '@example.com') u ON true;
SQL
psql -q "$url" -f bench/pgbench/setup.sql >/dev/null
psql -q "$url" -c "VACUUM ANALYZE" >/dev/null

# The rotation with a moving expiry, as in production.
sed 's/expires_at = :exp_ts$/expires_at = now() + interval '"'"'7 days'"'"'/' bench/pgbench/rotate.sql \
    >"$OUT/rotate-moving.sql"
grep -q "now() + interval '7 days'$" "$OUT/rotate-moving.sql" || { echo "hot: rewrite failed" >&2; exit 1; }

PURGE="DELETE FROM \"sessions\" WHERE ((\"sessions\".\"revoked_at\" <= now() - interval '1 day') OR (\"sessions\".\"expires_at\" <= now())) OR (\"sessions\".\"absolute_expires_at\" <= now())"

measure() { # LABEL
    local label=$1 line tps hot
    psql -q "$url" -c "SELECT pg_stat_reset()" >/dev/null
    pgbench -n -M prepared -c "$BENCH_CLIENTS" -j 2 -T "$BENCH_SECONDS" -D init=1 \
        -f "$OUT/rotate-moving.sql" "$url" >"$OUT/pgbench-$label.txt" 2>&1
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without.*/\1/p' "$OUT/pgbench-$label.txt")
    sleep 1 # statistics reach pg_stat_user_tables asynchronously
    hot=$(psql -Atq "$url" -c "SELECT round(100.0 * n_tup_hot_upd / greatest(n_tup_upd, 1), 1) FROM pg_stat_user_tables WHERE relname = 'sessions'")
    echo "$label: rotation with a moving expiry, $BENCH_CLIENTS clients: $tps tps, HOT updates $hot %"
    for i in 1 2 3; do
        line=$(psql -Atq "$url" -c "BEGIN" -c "EXPLAIN (ANALYZE, COSTS OFF) $PURGE" -c "ROLLBACK" \
            | grep -E 'Execution Time|Bitmap Index Scan on|Seq Scan on' | tr '\n' ' ')
        echo "$label: purge of $HOT_SESSIONS sessions ($((HOT_SESSIONS / 50)) expired), run $i: $line"
    done
}

psql -q "$url" -c "CREATE INDEX IF NOT EXISTS sessions_expires_at_idx ON sessions (expires_at)" \
    -c "VACUUM ANALYZE sessions" >/dev/null
measure "with sessions_expires_at_idx" | tee "$OUT/summary.txt"
psql -q "$url" -c "DROP INDEX sessions_expires_at_idx" -c "VACUUM ANALYZE sessions" >/dev/null
measure "without the index" | tee -a "$OUT/summary.txt"
echo "outputs: $OUT"
