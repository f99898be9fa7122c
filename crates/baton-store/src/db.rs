//! The backend half of a `Store`: which pool its statements go to. Its own module so that
//! `exec::run!`, which dispatches on it, and `store`, which uses `run!`, do not import each
//! other.

use crate::postgres::PgPool;
use crate::sqlite::SqlitePool;

/// The backend-specific half of a `Store`.
#[derive(Clone)]
pub(crate) enum Db {
    /// diesel-async connections in a deadpool pool.
    Postgres(PgPool),
    /// r2d2 connections and the store's blocking threads.
    Sqlite(SqlitePool),
}
