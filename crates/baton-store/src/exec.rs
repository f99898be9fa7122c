//! One statement, written once, run on whichever backend the store has: awaited on a pooled
//! async PostgreSQL connection on the caller's task, or run on one of SQLite's blocking
//! threads.
//!
//! diesel's query builder is backend-neutral until a statement runs; only running differs
//! (`diesel_async::RunQueryDsl` returns futures, `diesel::RunQueryDsl` results). So [`run!`]
//! places the same statement text in two arms, each with its own `RunQueryDsl` in scope, and
//! `.await`s it in the PostgreSQL arm. Modules that use it therefore import diesel's
//! builder traits one by one, never `diesel::prelude::*` (whose `RunQueryDsl` would make the
//! PostgreSQL arm's methods ambiguous).
//!
//! The statement is one expression ending in `execute`, `get_result`, `get_results`, `load`
//! or `first`, optionally followed by `.optional()` ([`OptionalFuture`] gives futures that
//! method). In the SQLite arm it runs inside a `move` closure on another thread, so what it
//! uses must be owned (`String`, not `&str`) or `Copy`, and an owned value the caller still
//! needs afterwards is named in `clone(...)` (the SQLite arm takes a clone of it). In the
//! PostgreSQL arm it may run more than once (see `crate::postgres::retry`), so it must not
//! move what it uses.

use std::future::Future;

use diesel::{OptionalExtension, QueryResult, SqliteConnection};
use diesel_async::AsyncPgConnection;

/// `.optional()` for a statement's future, as diesel's `OptionalExtension` for its result:
/// "not found" becomes `Ok(None)`.
pub(crate) trait OptionalFuture<T: Send>:
    Future<Output = QueryResult<T>> + Send + Sized
{
    /// The statement's result with `NotFound` as `None`.
    fn optional(self) -> impl Future<Output = QueryResult<Option<T>>> + Send {
        async move { self.await.optional() }
    }
}

impl<T: Send, F: Future<Output = QueryResult<T>> + Send> OptionalFuture<T> for F {}

/// A raw statement that loads `U` rows on both backends: what `crate::sql` builds, written as
/// one bound so the builders can return `impl Loads<'a, U>`.
pub(crate) trait Loads<'a, U>:
    diesel::query_dsl::LoadQuery<'a, SqliteConnection, U>
    + diesel::RunQueryDsl<SqliteConnection>
    + diesel_async::methods::LoadQuery<'a, AsyncPgConnection, U>
    + Send
    + 'a
{
}

impl<'a, U, T> Loads<'a, U> for T where
    T: diesel::query_dsl::LoadQuery<'a, SqliteConnection, U>
        + diesel::RunQueryDsl<SqliteConnection>
        + diesel_async::methods::LoadQuery<'a, AsyncPgConnection, U>
        + Send
        + 'a
{
}

/// Which SQL text a raw statement needs on a connection: the backends' dialects differ for
/// the rotation (see `crate::sql::rotate`).
pub(crate) trait Dialect {
    /// Whether this is the PostgreSQL connection.
    const POSTGRES: bool;
}

impl Dialect for AsyncPgConnection {
    const POSTGRES: bool = true;
}

impl Dialect for SqliteConnection {
    const POSTGRES: bool = false;
}

/// Whether `conn` is PostgreSQL's, for the statements whose text differs.
pub(crate) fn is_postgres<C: Dialect>(_conn: &C) -> bool {
    C::POSTGRES
}

/// Runs one statement on `$store`'s backend and maps its failure to a `StoreError`:
/// `run!(store, Read | Write, [clone(a, b),] |c| <statement using c>)`. See the module
/// documentation.
macro_rules! run {
    ($store:expr, $kind:ident, $(clone($($keep:ident),+),)? |$c:ident| $query:expr) => {
        match $store.db() {
            $crate::db::Db::Postgres(pg) => {
                let mut attempts = $crate::postgres::retry::Attempts::new(
                    $crate::postgres::retry::Kind::$kind,
                );
                loop {
                    let mut conn = match pg.conn().await {
                        Ok(conn) => conn,
                        Err(e) => break Err(e),
                    };
                    let result = {
                        #[allow(unused_imports)]
                        use $crate::exec::OptionalFuture as _;
                        #[allow(unused_imports)]
                        use ::diesel_async::RunQueryDsl as _;
                        let $c: &mut ::diesel_async::AsyncPgConnection = &mut conn;
                        $query.await
                    };
                    drop(conn);
                    if !pg.again(&mut attempts, &result).await {
                        break result.map_err($crate::errors::query);
                    }
                }
            }
            $crate::db::Db::Sqlite(lite) => {
                $($(let $keep = $keep.clone();)+)?
                lite.run(move |$c: &mut ::diesel::SqliteConnection| {
                    #[allow(unused_imports)]
                    use ::diesel::{OptionalExtension as _, RunQueryDsl as _};
                    $query
                })
                .await
            }
        }
    };
}
pub(crate) use run;
