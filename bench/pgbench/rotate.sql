-- The limit for a refresh on PostgreSQL: the one statement a refresh sends (the fast path,
-- crates/baton-store/src/sql/rotate.rs `POSTGRES`, word for word; bench/statements.py checks
-- it against the server's statement log in every run), executed by pgbench -M prepared with
-- no HTTP, JWT, core or pool in between. Each transaction is that one statement, committing
-- on its own as in the server.
--
-- Client c (0-based) rotates its own chain on session 00000000-0000-4000-8000-<c, 12 digits>
-- (bench/pgbench/setup.sql). Its first transaction also reads the row once (the \if :init
-- block; run pgbench with -D init=1) to learn the chain's state; after that every
-- transaction presents the generation the previous one returned. The refresh hash
-- alternates between two 32-byte values by generation parity (the server binds the SHA-256
-- of each new token; computing it is the core's work, not the database's). $2 (now) and $3
-- (the new sliding expiry) are fixed at the first transaction: the row is rewritten with the
-- same work whatever the values. pgbench numbers each occurrence of a variable as its own
-- parameter, so the three uses of $2 are three parameters of the same value, sent as text.
\if :init
SELECT id AS sid, user_id AS uid, generation, absolute_expires_at AS abs_end,
       CASE WHEN generation % 2 = 0 THEN refresh_hash ELSE sha256(refresh_hash) END AS ha,
       CASE WHEN generation % 2 = 0 THEN sha256(refresh_hash) ELSE refresh_hash END AS hb,
       now() AS now_ts, now() + interval '7 days' AS exp_ts
  FROM sessions
 WHERE id = ('00000000-0000-4000-8000-' || lpad(:client_id::text, 12, '0'))::uuid \gset
\set init 0
\endif
\if :generation % 2 = 0
UPDATE sessions AS s
   SET refresh_hash = :hb, generation = s.generation + 1,
       rotated_at = :now_ts, last_used_at = :now_ts, expires_at = :exp_ts
  FROM users AS u
 WHERE s.id = :sid AND s.user_id = :uid AND u.id = s.user_id
   AND s.generation = :generation AND s.refresh_hash = :ha AND s.absolute_expires_at = :abs_end
   AND s.revoked_at IS NULL AND s.expires_at > :now_ts AND s.absolute_expires_at > :now_ts
   AND u.disabled_at IS NULL
RETURNING s.id, s.user_id, s.refresh_hash, s.generation, s.rotated_at, s.created_at,
          s.last_used_at, s.expires_at, s.absolute_expires_at, s.revoked_at, s.revoke_reason,
          s.user_agent, s.client_addr, s.amr,
          u.email AS u_email, u.password_hash AS u_password_hash, u.name AS u_name,
          u.disabled_at AS u_disabled_at, u.created_at AS u_created_at,
          u.updated_at AS u_updated_at, u.email_verified_at AS u_email_verified_at \gset r_
\else
UPDATE sessions AS s
   SET refresh_hash = :ha, generation = s.generation + 1,
       rotated_at = :now_ts, last_used_at = :now_ts, expires_at = :exp_ts
  FROM users AS u
 WHERE s.id = :sid AND s.user_id = :uid AND u.id = s.user_id
   AND s.generation = :generation AND s.refresh_hash = :hb AND s.absolute_expires_at = :abs_end
   AND s.revoked_at IS NULL AND s.expires_at > :now_ts AND s.absolute_expires_at > :now_ts
   AND u.disabled_at IS NULL
RETURNING s.id, s.user_id, s.refresh_hash, s.generation, s.rotated_at, s.created_at,
          s.last_used_at, s.expires_at, s.absolute_expires_at, s.revoked_at, s.revoke_reason,
          s.user_agent, s.client_addr, s.amr,
          u.email AS u_email, u.password_hash AS u_password_hash, u.name AS u_name,
          u.disabled_at AS u_disabled_at, u.created_at AS u_created_at,
          u.updated_at AS u_updated_at, u.email_verified_at AS u_email_verified_at \gset r_
\endif
\set generation :r_generation
