-- Information, not a limit: what a refresh cost the database before it became one statement,
-- and what the slow path (a token the fast path's guard refuses: reuse, grace, expiry, a token
-- of the previous release) still sends: find_session (the session joined with its owner,
-- exactly as for an access check), then the rotation statement with the values just read.
-- Each statement commits on its own, as in the server. Same chains and hash alternation as
-- rotate.sql (run pgbench with -D init=1).
\if :init
SELECT id AS sid,
       CASE WHEN generation % 2 = 0 THEN refresh_hash ELSE sha256(refresh_hash) END AS ha,
       CASE WHEN generation % 2 = 0 THEN sha256(refresh_hash) ELSE refresh_hash END AS hb,
       now() AS now_ts, now() + interval '7 days' AS exp_ts
  FROM sessions
 WHERE id = ('00000000-0000-4000-8000-' || lpad(:client_id::text, 12, '0'))::uuid \gset
\set init 0
\endif
\set one 1
SELECT "sessions"."id", "sessions"."user_id", "sessions"."refresh_hash", "sessions"."generation", "sessions"."rotated_at", "sessions"."created_at", "sessions"."last_used_at", "sessions"."expires_at", "sessions"."absolute_expires_at", "sessions"."revoked_at", "sessions"."revoke_reason", "sessions"."user_agent", "sessions"."client_addr", "sessions"."amr", "users"."id", "users"."email", "users"."password_hash", "users"."name", "users"."disabled_at", "users"."created_at", "users"."updated_at", "users"."email_verified_at" FROM ("sessions" INNER JOIN "users" ON ("sessions"."user_id" = "users"."id")) WHERE ("sessions"."id" = :sid) LIMIT :one \gset f_
\if :f_generation % 2 = 0
UPDATE sessions AS s
   SET refresh_hash = :hb, generation = s.generation + 1,
       rotated_at = :now_ts, last_used_at = :now_ts, expires_at = :exp_ts
  FROM users AS u
 WHERE s.id = :sid AND s.user_id = :f_user_id AND u.id = s.user_id
   AND s.generation = :f_generation AND s.refresh_hash = :f_refresh_hash AND s.absolute_expires_at = :f_absolute_expires_at
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
 WHERE s.id = :sid AND s.user_id = :f_user_id AND u.id = s.user_id
   AND s.generation = :f_generation AND s.refresh_hash = :f_refresh_hash AND s.absolute_expires_at = :f_absolute_expires_at
   AND s.revoked_at IS NULL AND s.expires_at > :now_ts AND s.absolute_expires_at > :now_ts
   AND u.disabled_at IS NULL
RETURNING s.id, s.user_id, s.refresh_hash, s.generation, s.rotated_at, s.created_at,
          s.last_used_at, s.expires_at, s.absolute_expires_at, s.revoked_at, s.revoke_reason,
          s.user_agent, s.client_addr, s.amr,
          u.email AS u_email, u.password_hash AS u_password_hash, u.name AS u_name,
          u.disabled_at AS u_disabled_at, u.created_at AS u_created_at,
          u.updated_at AS u_updated_at, u.email_verified_at AS u_email_verified_at \gset r_
\endif
