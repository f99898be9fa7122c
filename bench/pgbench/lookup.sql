-- The database's share of an access check (GET /api/v1/auth/me): find_session, the session
-- joined with its user by primary key, exactly as diesel renders it. Not the issue's limit
-- for the access check (that is the bare handler), but the floor that no access check which
-- consults the database can beat on this machine. Client c reads session
-- 00000000-0000-4000-8000-<c, 12 digits> (see setup.sql).
\set n :client_id
SELECT "sessions"."id", "sessions"."user_id", "sessions"."refresh_hash", "sessions"."generation", "sessions"."rotated_at", "sessions"."created_at", "sessions"."last_used_at", "sessions"."expires_at", "sessions"."absolute_expires_at", "sessions"."revoked_at", "sessions"."revoke_reason", "sessions"."user_agent", "sessions"."client_addr", "users"."id", "users"."email", "users"."password_hash", "users"."name", "users"."disabled_at", "users"."failed_logins", "users"."locked_until", "users"."created_at", "users"."updated_at" FROM ("sessions" INNER JOIN "users" ON ("sessions"."user_id" = "users"."id")) WHERE ("sessions"."id" = ('00000000-0000-4000-8000-' || lpad(:n, 12, '0'))::uuid) LIMIT 1;
