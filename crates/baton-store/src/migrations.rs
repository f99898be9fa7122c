//! The schema, embedded in the binary and applied on start (SPEC §6).
//!
//! Each backend has its own migration set (`migrations/postgres`, `migrations/sqlite`) since
//! DDL differs (`uuid`/`timestamptz` versus `BLOB`/`INTEGER`, `STRICT` tables); both must
//! describe the same tables as `schema.rs`.
//!
//! Migrations run through diesel's synchronous harness on a blocking thread: on PostgreSQL
//! over one of the pool's own connections, taken out of the pool and wrapped in diesel-async's
//! `AsyncConnectionWrapper` (which blocks on the runtime's handle from that thread), so a
//! process never opens a second connection, nor libpq, to migrate.

use crate::errors;
use baton_core::StoreError;
use diesel::backend::Backend;
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationConnection;
use diesel::{Connection, SqliteConnection};
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Key of the PostgreSQL advisory lock that serialises migrations when several servers start
/// at once against one database (an arbitrary constant: "baton" in ASCII).
const PG_MIGRATION_LOCK: i64 = 0x0062_6174_6f6e;

type Applied = diesel::migration::Result<Vec<String>>;

/// A PostgreSQL connection the synchronous migration harness can drive.
pub type PgMigrationConnection = AsyncConnectionWrapper<AsyncPgConnection>;

/// Applies every pending migration over `conn`; returns the names applied, oldest first
/// (empty when the schema is current). Safe to run from several processes at once. Blocks:
/// call it on a blocking thread of the runtime that owns the connection.
pub fn run_postgres(conn: &mut PgMigrationConnection) -> Result<Vec<String>, StoreError> {
    // A session-level lock: the harness commits each migration in its own transaction.
    conn.batch_execute(&format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))
        .map_err(errors::query)?;
    let applied = apply(conn, POSTGRES);
    let unlocked = conn
        .batch_execute(&format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"))
        .map_err(errors::query);
    let applied = applied.map_err(harness_error)?;
    unlocked?;
    Ok(applied)
}

/// Applies every pending migration to a SQLite file, as [`run_postgres`] does. Blocks.
pub fn run_sqlite(conn: &mut SqliteConnection) -> Result<Vec<String>, StoreError> {
    // `BEGIN IMMEDIATE` takes the write lock up front, so a second process waits (busy
    // timeout) and then finds nothing pending; each migration nests as a savepoint.
    conn.immediate_transaction(|conn| apply(conn, SQLITE)).map_err(harness_error)
}

fn apply<C, DB>(conn: &mut C, source: EmbeddedMigrations) -> Applied
where
    DB: Backend,
    C: Connection<Backend = DB> + MigrationConnection + MigrationHarness<DB>,
    EmbeddedMigrations: diesel::migration::MigrationSource<DB>,
{
    let pending = conn.pending_migrations(source)?;
    let names = pending.iter().map(|m| m.name().to_string()).collect();
    conn.run_migrations(&pending)?;
    Ok(names)
}

/// A migration that could not be applied; the cause (the database's error) is kept.
#[derive(Debug, thiserror::Error)]
#[error("migration failed")]
struct MigrationFailed(#[source] Box<dyn std::error::Error + Send + Sync>);

fn harness_error(err: Box<dyn std::error::Error + Send + Sync>) -> StoreError {
    match err.downcast::<diesel::result::Error>() {
        Ok(db) if errors::is_unavailable(&db) => errors::query(*db),
        Ok(db) => StoreError::backend(MigrationFailed(db)),
        Err(other) => StoreError::backend(MigrationFailed(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_applied_migrations_are_reported_once() {
        let dir = std::env::temp_dir().join(format!("baton-mig-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut conn = SqliteConnection::establish(&dir.join("m.db").to_string_lossy()).unwrap();
        let applied = run_sqlite(&mut conn).unwrap();
        assert_eq!(
            applied,
            [
                "2025-11-25-000001_create_users",
                "2025-11-25-000002_create_sessions",
                "2026-11-30-000003_create_login_attempts",
                "2026-11-30-000004_drop_sessions_expires_at_idx",
                "2026-12-07-000005_accounts",
                "2026-12-07-000006_second_factors",
            ]
        );
        assert!(run_sqlite(&mut conn).unwrap().is_empty());
        drop(conn);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
