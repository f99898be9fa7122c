-- The limit for a refresh on PostgreSQL: exactly the SQL one rotation runs (as diesel
-- renders it, captured from the server's statement log), executed by pgbench with no HTTP,
-- JWT or pool in between:
--   1. find_session: the session joined with its user, by primary key;
--   2. rotate: the conditional UPDATE ... RETURNING (compare generation and hash, swap in
--      the successor's hash).
-- Client c (0-based) rotates its own chain on session 00000000-0000-4000-8000-<c, 12 digits>,
-- rows that bench/run.sh copies from the bench users before pgbench starts. The new hash is
-- sha256 of the old one (the server computes it in Rust and binds 32 bytes). Each statement
-- commits on its own, as in the server.
\set n :client_id
SELECT "sessions"."id" AS sid, "sessions"."user_id", "sessions"."refresh_hash", "sessions"."generation", "sessions"."rotated_at", "sessions"."created_at", "sessions"."last_used_at", "sessions"."expires_at", "sessions"."absolute_expires_at", "sessions"."revoked_at", "sessions"."revoke_reason", "sessions"."user_agent", "sessions"."client_addr", "users"."id" AS uid, "users"."email", "users"."password_hash", "users"."name", "users"."disabled_at", "users"."failed_logins", "users"."locked_until", "users"."created_at" AS user_created_at, "users"."updated_at" FROM ("sessions" INNER JOIN "users" ON ("sessions"."user_id" = "users"."id")) WHERE ("sessions"."id" = ('00000000-0000-4000-8000-' || lpad(:n, 12, '0'))::uuid) LIMIT 1 \gset
UPDATE "sessions" SET "refresh_hash" = sha256(:refresh_hash::bytea), "generation" = ("sessions"."generation" + 1), "rotated_at" = now(), "last_used_at" = now(), "expires_at" = now() + interval '7 days' WHERE (((("sessions"."id" = :sid::uuid) AND ("sessions"."generation" = :generation)) AND ("sessions"."refresh_hash" = :refresh_hash::bytea)) AND ("sessions"."revoked_at" IS NULL)) RETURNING "sessions"."id", "sessions"."user_id", "sessions"."refresh_hash", "sessions"."generation", "sessions"."rotated_at", "sessions"."created_at", "sessions"."last_used_at", "sessions"."expires_at", "sessions"."absolute_expires_at", "sessions"."revoked_at", "sessions"."revoke_reason", "sessions"."user_agent", "sessions"."client_addr";
