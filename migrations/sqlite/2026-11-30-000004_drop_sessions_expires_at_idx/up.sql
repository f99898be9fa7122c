-- Kept in step with PostgreSQL (see migrations/postgres): one index less to maintain on
-- every rotation; purge's sliding-expiry arm scans instead.
DROP INDEX IF EXISTS sessions_expires_at_idx;
