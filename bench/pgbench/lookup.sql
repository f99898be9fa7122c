-- The floor of an access check (GET /api/v1/auth/me) and of an introspection: the session
-- look-up alone, find_session as diesel sends it (bench/statements.py checks it against the
-- server's statement log in every run), run by pgbench -M prepared with no HTTP, JWT or pool.
-- No access check that consults the database (SPEC §3, §8) can beat it on this machine.
-- Client c reads session 00000000-0000-4000-8000-<c, 12 digits> (setup.sql); its first
-- transaction also finds that id (run pgbench with -D init=1).
\if :init
SELECT id AS sid FROM sessions
 WHERE id = ('00000000-0000-4000-8000-' || lpad(:client_id::text, 12, '0'))::uuid \gset
\set init 0
\endif
\set one 1
SELECT "sessions"."id", "sessions"."user_id", "sessions"."refresh_hash", "sessions"."generation", "sessions"."rotated_at", "sessions"."created_at", "sessions"."last_used_at", "sessions"."expires_at", "sessions"."absolute_expires_at", "sessions"."revoked_at", "sessions"."revoke_reason", "sessions"."user_agent", "sessions"."client_addr", "sessions"."amr", "users"."id", "users"."email", "users"."password_hash", "users"."name", "users"."disabled_at", "users"."created_at", "users"."updated_at", "users"."email_verified_at" FROM ("sessions" INNER JOIN "users" ON ("sessions"."user_id" = "users"."id")) WHERE ("sessions"."id" = :sid) LIMIT :one;
