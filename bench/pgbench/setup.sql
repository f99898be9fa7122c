-- Gives pgbench client c its own session row, id 00000000-0000-4000-8000-<c, 12 digits>,
-- belonging to bench user c (bench-<c>@example.com), shaped like a fresh login's row.
-- Run once per database before bench/pgbench/rotation.sql; idempotent.
INSERT INTO sessions (id, user_id, refresh_hash, generation, rotated_at, created_at,
                      last_used_at, expires_at, absolute_expires_at, user_agent, client_addr)
SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
       u.id, sha256(u.id::text::bytea), 0, now(), now(), now(),
       now() + interval '7 days', now() + interval '30 days', 'pgbench', '127.0.0.1'
  FROM (SELECT id, substring(email from 'bench-([0-9]+)@')::int AS n FROM users) u
 WHERE u.n IS NOT NULL
ON CONFLICT (id) DO NOTHING;
